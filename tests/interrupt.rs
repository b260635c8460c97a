//! Ctrl-C: a real SIGINT during training stops it after the step, with a checkpoint from which
//! the run goes on to the same bits as one never stopped. In a test binary of its own, as the
//! signal goes to the whole process.

#![cfg(unix)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use cnn::Float;
use cnn::data::Dataset;
use cnn::loss::Loss;
use cnn::ndarray::Array4;
use cnn::prelude::*;

network! {
    struct Small { input(6x6) -> conv(4, 3x3) -> relu -> dense(3) }
}

/// Cross-entropy that sends this process a SIGINT at its `at`-th example.
struct InterruptAt {
    at: usize,
    seen: AtomicUsize,
}

impl Loss for InterruptAt {
    const NAME: &'static str = "InterruptAt";
    const TAKES_LOGITS: bool = true;

    fn example<T: Float>(&self, o: &[T], y: &[T], scale: T, d: &mut [T]) -> T {
        if self.seen.fetch_add(1, Ordering::Relaxed) == self.at {
            // The shell's own `kill`, which needs no package.
            let status = std::process::Command::new("sh")
                .args(["-c", &format!("kill -INT {}", std::process::id())])
                .status()
                .expect("sh runs");
            assert!(status.success());
            // The kernel delivers the signal when one of this process's threads next runs: give
            // it time to, within this step, on a loaded machine too.
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        SoftmaxCrossEntropy.example(o, y, scale, d)
    }
}

#[test]
fn ctrl_c_stops_after_the_step_with_a_checkpoint_that_resumes_exactly() {
    let data = Dataset {
        images: Array4::from_shape_fn((64, 1, 6, 6), |(n, _, i, j)| {
            ((n * 7 + i * 3 + j * 5) % 13) as f32 / 13.0
        }),
        labels: (0..64).map(|n| n % 3).collect(),
        classes: 3,
    };
    let trainer = || {
        Trainer::new()
            .epochs(3)
            .batch_size(4)
            .seed(1)
            .threads(1)
            .quiet()
    };
    let mut straight = Small::new(1);
    let loss = |at| InterruptAt {
        at,
        seen: AtomicUsize::new(0),
    };
    trainer()
        .fit(
            &mut straight,
            &data,
            &loss(usize::MAX),
            &mut Adam::new(1e-2),
        )
        .unwrap();

    let dir = common::temp::TempDir::new();
    let mut net = Small::new(1);
    // In the middle of epoch 2: example 100 is in step 26 of 48.
    let err = trainer()
        .checkpoint_dir(dir.path())
        .stop_on_ctrl_c()
        .fit(&mut net, &data, &loss(100), &mut Adam::new(1e-2))
        .unwrap_err();
    let Error::Interrupted {
        epoch,
        step,
        checkpoint: Some(path),
    } = err
    else {
        panic!("{err}")
    };
    // The handler runs as the signal arrives; the trainer looks after each step.
    assert!(
        epoch == 2 && (26..=28).contains(&step),
        "epoch {epoch}, step {step}"
    );
    assert!(path.exists());

    let mut resumed = Small::new(7);
    trainer()
        .resume_from(dir.path())
        .stop_on_ctrl_c()
        .fit(&mut resumed, &data, &loss(usize::MAX), &mut Adam::new(1e-2))
        .unwrap();
    assert!(
        common::bits(&resumed) == common::bits(&straight),
        "weights differ"
    );
}
