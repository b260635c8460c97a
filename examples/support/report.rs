//! What the data examples leave behind in `target/cnn/<example>/`: the weights, the loss and
//! accuracy curves (SVG) and their figures (CSV), the first layer's filters (PNG), and a
//! confusion matrix (printed).

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use cnn::data::Dataset;
use cnn::loss::SoftmaxCrossEntropy;
use cnn::{History, Network, TensorInfo};
use plotters::prelude::*;

/// Everything a data example leaves behind, and its last line: writes the weights, the curves,
/// the history and the first layer's filters to `target/cnn/<name>/`, prints the confusion
/// matrix on `test`, then `final accuracy: NN.N%`.
pub fn finish<N: Network<Scalar = f32>>(
    name: &str,
    net: &N,
    history: &History,
    test: &Dataset,
) -> Result<(), Box<dyn Error>> {
    let out = output_dir(name)?;
    net.save(out.join("weights.safetensors"))?;
    write_curves(&out.join("curves.svg"), history)?;
    history.write_csv(out.join("history.csv"))?;
    let first: &TensorInfo = &N::TENSORS[0];
    let shape = [
        first.shape[0],
        first.shape[1],
        first.shape[2],
        first.shape[3],
    ];
    write_filters(
        &out.join("filters.png"),
        &net.params()[..first.len],
        shape,
        12,
    )?;
    println!("wrote {}", out.display());

    let report = cnn::train::evaluate(net, test, &SoftmaxCrossEntropy)?;
    println!("confusion matrix on the test images:\n{}", report.confusion);
    println!("top-2 accuracy: {:.1}%", 100.0 * report.top_k_accuracy(2));
    println!("final accuracy: {:.1}%", 100.0 * report.accuracy);
    Ok(())
}

/// `target/cnn/<name>/`, created.
pub fn output_dir(name: &str) -> std::io::Result<PathBuf> {
    // The repository's `target/`: the examples' package is `examples/`.
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .join("target/cnn")
        .join(name);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Two charts side by side: loss and accuracy per epoch, training and validation.
pub fn write_curves(path: &Path, history: &History) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (1000, 380)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(500);
    let epochs = history.epochs.len().max(2) as f64;
    let series = |f: &dyn Fn(&cnn::EpochStats) -> Option<f64>| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .filter_map(|e| f(e).map(|v| (e.epoch as f64, v)))
            .collect()
    };
    let charts = [
        (
            &left,
            "loss",
            series(&|e| Some(e.train_loss)),
            series(&|e| e.valid_loss),
        ),
        (
            &right,
            "accuracy",
            series(&|e| Some(e.train_accuracy)),
            series(&|e| e.valid_accuracy),
        ),
    ];
    for (area, title, train, valid) in charts {
        let values = train.iter().chain(&valid).map(|p| p.1);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let pad = ((hi - lo) * 0.05).max(1e-3);
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(50)
            .build_cartesian_2d(1.0..epochs, (lo - pad)..(hi + pad))?;
        chart.configure_mesh().x_desc("epoch").draw()?;
        chart
            .draw_series(LineSeries::new(train, &BLUE))?
            .label("training")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
        if !valid.is_empty() {
            chart
                .draw_series(LineSeries::new(valid, &RED))?
                .label("held out")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// The first layer's filters as a grey-scale PNG: one tile per filter (its first input
/// channel), each stretched to black..white, `scale` pixels per weight, one pixel apart.
pub fn write_filters(
    path: &Path,
    weights: &[f32],
    [filters, channels, kh, kw]: [usize; 4],
    scale: usize,
) -> Result<(), Box<dyn Error>> {
    let (tile_w, tile_h) = (kw * scale + 1, kh * scale + 1);
    let (width, height) = (filters * tile_w + 1, tile_h + 1);
    let mut pixels = vec![128u8; width * height];
    for f in 0..filters {
        let w = &weights[f * channels * kh * kw..][..kh * kw];
        let (lo, hi) = w
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        for (k, &v) in w.iter().enumerate() {
            let grey = (255.0 * (v - lo) / (hi - lo).max(1e-12)) as u8;
            let (u, v) = (k / kw, k % kw);
            for dy in 0..scale {
                for dx in 0..scale {
                    let (y, x) = (1 + u * scale + dy, 1 + f * tile_w + v * scale + dx);
                    pixels[y * width + x] = grey;
                }
            }
        }
    }
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        width as u32,
        height as u32,
    );
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
