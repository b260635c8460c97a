//! The Keras-style summary table, built by the macro as a string literal, and the
//! multiply-add counts behind it.

use crate::ir::{Kind, Layer, Network};
use crate::shape::Shape;

/// Multiply-adds of one example's forward pass through a layer with weights, 0 for others.
pub fn forward_macs(layer: &Layer) -> u64 {
    let out = layer.output.len().unwrap_or(0);
    match &layer.kind {
        Kind::Conv(c) => out * (c.group_channels() * c.kh * c.kw) as u64,
        Kind::Dense { n, m } => (*n as u64) * (*m as u64),
        _ => 0,
    }
}

/// Multiply-adds of one example's training step: the forward pass, dL/dW (as many as the
/// forward), and dL/dX of every layer with weights whose input needs it (a layer with
/// weights before it, on some path; none is computed for the first).
pub fn train_macs(net: &Network) -> u64 {
    let mut needs = vec![false; net.layers.len() + 1];
    let mut total = 0;
    for (i, l) in net.layers.iter().enumerate() {
        let f = forward_macs(l);
        let input_needs = l.inputs.iter().any(|&t| needs[t]);
        total += if input_needs { 3 * f } else { 2 * f };
        needs[i + 1] = l.param_lens().is_some() || input_needs;
    }
    total
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn shape_text(s: Shape) -> String {
    s.to_string()
}

/// The table: one row per layer with its output shape, parameters and forward FLOPs (two per
/// multiply-add), then the totals.
pub fn table(net: &Network) -> String {
    let [c, h, w] = net.input;
    let mut rows: Vec<[String; 4]> = vec![[
        "input".into(),
        format!("{c}x{h}x{w}"),
        "0".into(),
        "0".into(),
    ]];
    for layer in &net.layers {
        let kind = match &layer.kind {
            Kind::Conv(c) => {
                let mut k = format!("conv {}x{}", c.kh, c.kw);
                if c.stride != 1 {
                    k += &format!(" /{}", c.stride);
                }
                if c.pad_h + c.pad_w > 0 {
                    k += &format!(" pad {}x{}", c.pad_h, c.pad_w);
                }
                k
            }
            Kind::Dense { .. } => "dense".into(),
            Kind::Pool(p) => format!(
                "{} {}x{}",
                if p.max { "maxpool" } else { "avgpool" },
                p.kh,
                p.kw
            ),
            Kind::Activation(a) => a.name().into(),
            Kind::BatchNorm(_) => "batchnorm".into(),
            Kind::Dropout(p) => format!("dropout {p}"),
            Kind::GlobalAvgPool => "global_avgpool".into(),
            Kind::Flatten => "flatten".into(),
            Kind::Add => "residual, add".into(),
        };
        let params = layer.param_lens().map_or(0, |(w, b)| w + b);
        let buffers = if layer.buffer_len() > 0 {
            format!(" + {} buffers", thousands(layer.buffer_len() as u64))
        } else {
            String::new()
        };
        rows.push([
            format!("{} ({kind})", layer.path),
            shape_text(layer.output),
            thousands(params as u64) + &buffers,
            thousands(2 * forward_macs(layer)),
        ]);
    }
    let header = ["layer", "output", "params", "FLOPs"];
    let widths: Vec<usize> = (0..4)
        .map(|k| {
            rows.iter()
                .map(|r| r[k].len())
                .chain([header[k].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: [&str; 4]| {
        format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}\n",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    let rule = "-".repeat(widths.iter().sum::<usize>() + 6) + "\n";
    let mut out = format!("{}\n", net.name);
    out += &line(header);
    out += &rule;
    for r in &rows {
        out += &line([&r[0], &r[1], &r[2], &r[3]]);
    }
    out += &rule;
    let forward: u64 = net.layers.iter().map(forward_macs).sum();
    out += &format!("parameters: {}\n", thousands(net.param_len as u64));
    if net.buffer_len > 0 {
        out += &format!(
            "buffers: {} (running statistics, saved with the weights, not trained)\n",
            thousands(net.buffer_len as u64)
        );
    }
    out += &format!(
        "FLOPs per example: {} forward, {} training step\n",
        thousands(2 * forward),
        thousands(2 * train_macs(net))
    );
    let arena = crate::codegen::example::Arena::of(net).len.max(1)
        + net.output_shape().len().unwrap_or(0) as usize;
    let (int8_bytes, int8_arena) = crate::codegen::int8::sizes(net);
    out += &format!(
        "memory in f32: parameters {} bytes, forward {} bytes of layer outputs, training {} bytes per example\n",
        thousands(4 * net.param_len as u64),
        thousands(4 * arena as u64),
        thousands(4 * crate::codegen::batch::values_per_example(net) as u64),
    );
    out += &format!(
        "memory in int8: network {} bytes, forward {} bytes of layer outputs\n",
        thousands(int8_bytes as u64),
        thousands(int8_arena as u64),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(44426), "44,426");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
