//! One training pass over a checked batch: one contiguous part per thread, each run by the
//! network's generated `train_part` on buffers taken from a pool (so that a step allocates
//! nothing once the pool holds them), the parts' gradients added in order.

use std::any::Any;
use std::sync::Mutex;

use ndarray::{ArrayView2, ArrayView4, s};

use crate::loss::Loss;
use crate::network::in_parts;
use crate::simd::{Lanes, WithSimd};
use crate::{Error, Float, Network, Tensor};

/// The buffers of one part and its gradient.
pub(crate) struct Part<N: Network> {
    pub work: N::Work,
    pub grad: Vec<N::Scalar>,
}

/// Parts' buffers of every network type in use, kept between steps: `(N::Work, Vec<Scalar>)`
/// boxed as `Any`. A step takes one per thread and gives them back.
static POOL: Mutex<Vec<Box<dyn Any + Send>>> = Mutex::new(Vec::new());

/// At most this many sets of buffers are kept (a few networks on a few threads).
const POOL_LIMIT: usize = 64;

fn take<N: Network>() -> Part<N> {
    let found = {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        pool.iter()
            .position(|b| b.is::<(N::Work, Vec<N::Scalar>)>())
            .map(|i| pool.swap_remove(i))
    };
    match found.and_then(|b| b.downcast::<(N::Work, Vec<N::Scalar>)>().ok()) {
        Some(b) => {
            let (work, grad) = *b;
            Part { work, grad }
        }
        None => Part {
            work: N::Work::default(),
            grad: vec![N::Scalar::ZERO; N::PARAM_LEN],
        },
    }
}

/// Returns the parts' buffers to the pool.
pub(crate) fn give_back<N: Network>(parts: Vec<Part<N>>) {
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    for part in parts {
        if pool.len() < POOL_LIMIT {
            pool.push(Box::new((part.work, part.grad)));
        }
    }
}

/// `train_part` with the best instruction set there is.
struct TrainPart<'a, N: Network, L> {
    net: &'a N,
    work: &'a mut N::Work,
    x: ArrayView4<'a, N::Scalar>,
    targets: ArrayView2<'a, N::Scalar>,
    loss: &'a L,
    scale: N::Scalar,
    grad: &'a mut N::Params,
}

impl<N: Network, L: Loss> WithSimd<N::Scalar> for TrainPart<'_, N, L> {
    /// The part's summed loss, or `None` for a non-finite input.
    type Output = Option<N::Scalar>;

    #[inline(always)]
    fn with_simd<S: Lanes<N::Scalar>>(self, s: S) -> Option<N::Scalar> {
        let blocks = crate::batch::blocks_for(self.x.len_of(ndarray::Axis(0)));
        let packs = N::input_packs(self.work, blocks);
        if !crate::batch::load_inputs(s, self.x, packs) {
            return None;
        }
        Some(self.net.train_part(
            s,
            self.work,
            blocks,
            self.targets,
            self.loss,
            self.scale,
            self.grad,
        ))
    }
}

/// The mean loss over a batch of `n > 0` examples whose shapes and targets are checked, and
/// the parts, the first holding the gradient of the mean loss (the others' gradients added
/// into it, in order). The inputs are checked as they are copied into the parts: `Err` names
/// the first value that is not finite.
pub(crate) fn run<N: Network, L: Loss>(
    net: &N,
    x: ArrayView4<N::Scalar>,
    targets: ArrayView2<N::Scalar>,
    loss: &L,
    n: usize,
) -> Result<(N::Scalar, Vec<Part<N>>), Error> {
    let scale = N::Scalar::ONE / N::Scalar::from_f64(n as f64);
    let results = in_parts(n, |range| {
        let mut part = take::<N>();
        part.grad.fill(N::Scalar::ZERO);
        let grad = N::Params::from_flat_mut(&mut part.grad).expect("PARAM_LEN scalars");
        let l = N::Scalar::dispatch(TrainPart {
            net,
            work: &mut part.work,
            x: x.slice(s![range.clone(), .., .., ..]),
            targets: targets.slice(s![range, ..]),
            loss,
            scale,
            grad,
        });
        (l, part)
    });
    let mut total = Some(N::Scalar::ZERO);
    let mut parts: Vec<Part<N>> = Vec::with_capacity(results.len());
    for (l, part) in results {
        total = total.zip(l).map(|(t, l)| t + l);
        if let Some(first) = parts.first_mut() {
            first
                .grad
                .iter_mut()
                .zip(&part.grad)
                .for_each(|(a, &b)| *a += b);
        }
        parts.push(part);
    }
    match total {
        Some(total) => Ok((total * scale, parts)),
        None => {
            give_back(parts);
            Err(crate::network::non_finite(&x).expect("a value that is not finite"))
        }
    }
}
