//! One training pass over a checked batch: one contiguous part per thread, each run by the
//! network's generated `train_part` on buffers taken from a pool (so that a step allocates
//! nothing once the pool holds them), the parts' gradients added in order.

use std::any::Any;
use std::sync::Mutex;

use ndarray::{ArrayView2, ArrayView4, s};

use crate::loss::Loss;
use rayon::prelude::*;

use crate::batch::PartInfo;
use crate::simd::{Lanes, WithSimd};
use crate::{Error, Float, Network, Tensor};

/// The buffers of one part, its gradient, and where it lies in the batch.
pub(crate) struct Part<N: Network> {
    pub work: N::Work,
    pub grad: Vec<N::Scalar>,
    pub first: usize,
    pub examples: usize,
    pub blocks: usize,
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
            Part {
                work,
                grad,
                first: 0,
                examples: 0,
                blocks: 0,
            }
        }
        None => Part {
            work: N::Work::default(),
            grad: vec![N::Scalar::ZERO; N::PARAM_LEN],
            first: 0,
            examples: 0,
            blocks: 0,
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

/// One stage of `train_stage` with the best instruction set there is; stage 0 first copies
/// the part's inputs into its blocks.
struct TrainStage<'a, N: Network, L> {
    net: &'a N,
    stage: usize,
    info: PartInfo,
    work: &'a mut N::Work,
    x: ArrayView4<'a, N::Scalar>,
    targets: ArrayView2<'a, N::Scalar>,
    loss: &'a L,
    scale: N::Scalar,
    grad: &'a mut N::Params,
}

impl<N: Network, L: Loss> WithSimd<N::Scalar> for TrainStage<'_, N, L> {
    /// The part's summed loss (0 in the stages without the loss), or `None` for a
    /// non-finite input.
    type Output = Option<N::Scalar>;

    #[inline(always)]
    fn with_simd<S: Lanes<N::Scalar>>(self, s: S) -> Option<N::Scalar> {
        if self.stage == 0 {
            let packs = N::input_packs(self.work, self.info.blocks);
            if !crate::batch::load_inputs(s, self.x, packs) {
                return None;
            }
            crate::profile::step_lap("inputs into lanes");
        }
        Some(self.net.train_stage(
            s,
            self.stage,
            self.info,
            self.work,
            self.targets,
            self.loss,
            self.scale,
            self.grad,
        ))
    }
}

/// Gradient values per piece of the parts' sum: large enough that a thread's share outweighs
/// handing it out.
const SUM_PIECE: usize = 1 << 14;

/// `f` on every part, on one thread each (in order, on this thread, for one part), the
/// results in order.
fn on_parts<N: Network, R: Send>(
    parts: &mut [Part<N>],
    f: impl Fn(&mut Part<N>) -> R + Sync + Send,
) -> Vec<R> {
    if parts.len() == 1 {
        return vec![f(&mut parts[0])];
    }
    parts.par_iter_mut().map(f).collect()
}

/// The mean loss over a batch of `n > 0` examples whose shapes and targets are checked, and
/// the parts, the first holding the gradient of the mean loss (the others' gradients added
/// into it, in order). The inputs are checked as they are copied into the parts: `Err` names
/// the first value that is not finite. With `input_grad`, the parts also hold dL/dX.
pub(crate) fn run<N: Network, L: Loss>(
    net: &N,
    x: ArrayView4<N::Scalar>,
    targets: ArrayView2<N::Scalar>,
    loss: &L,
    n: usize,
    input_grad: bool,
) -> Result<(N::Scalar, Vec<Part<N>>), Error> {
    run_pass(net, x, targets, loss, n, input_grad, false)
}

/// [`run`], or with `loss_only` the forward pass and the loss alone (no gradient).
pub(crate) fn run_pass<N: Network, L: Loss>(
    net: &N,
    x: ArrayView4<N::Scalar>,
    targets: ArrayView2<N::Scalar>,
    loss: &L,
    n: usize,
    input_grad: bool,
    loss_only: bool,
) -> Result<(N::Scalar, Vec<Part<N>>), Error> {
    crate::profile::step_start();
    N::check_train_batch(n)?;
    let scale = N::Scalar::ONE / N::Scalar::from_f64(n as f64);
    let threads = rayon::current_num_threads().clamp(1, n.max(1));
    let size = n.div_ceil(threads).max(1);
    let mut parts: Vec<Part<N>> = (0..threads)
        .map(|t| (t * size).min(n)..((t + 1) * size).min(n))
        .filter(|r| !r.is_empty())
        .map(|r| {
            let mut part = take::<N>();
            part.first = r.start;
            part.examples = r.len();
            part.blocks = crate::batch::blocks_for(r.len());
            part
        })
        .collect();
    let mut total = N::Scalar::ZERO;
    crate::profile::step_lap("buffers taken from the pool");
    for stage in 0..N::STAGES {
        let results = on_parts(&mut parts, |part| {
            // On a thread other than the caller's, this lap holds the time since its last
            // part: the pieces of the sum and of the update it ran meanwhile, and its idle time.
            crate::profile::step_lap("waiting for a part");
            if stage == 0 && !loss_only {
                // On the part's own thread, as the rest of its work.
                part.grad.fill(N::Scalar::ZERO);
            }
            let range = part.first..part.first + part.examples;
            let info = PartInfo {
                blocks: part.blocks,
                examples: part.examples,
                first: part.first,
                total: n,
                input_grad,
                loss_only,
            };
            let grad = N::Params::from_flat_mut(&mut part.grad).expect("PARAM_LEN scalars");
            N::Scalar::dispatch(TrainStage {
                net,
                stage,
                info,
                work: &mut part.work,
                x: x.slice(s![range.clone(), .., .., ..]),
                targets: targets.slice(s![range, ..]),
                loss,
                scale,
                grad,
            })
        });
        crate::profile::step_lap("waiting for the other parts");
        if results.iter().any(Option::is_none) {
            give_back(parts);
            return Err(crate::network::non_finite(&x).expect("a value that is not finite"));
        }
        total = results.into_iter().flatten().fold(total, |t, l| t + l);
        if stage + 1 < N::STAGES {
            let counts: Vec<usize> = parts.iter().map(|p| p.examples).collect();
            let mut works: Vec<&mut N::Work> = parts.iter_mut().map(|p| &mut p.work).collect();
            N::combine_stage(stage, &mut works, &counts);
        }
    }
    let (first, rest) = parts
        .split_first_mut()
        .expect("a batch of at least one example");
    if !rest.is_empty() {
        // Each value's parts added in order, in pieces across the pool: the same sums
        // whatever the pieces.
        let grads: Vec<&[N::Scalar]> = rest.iter().map(|p| p.grad.as_slice()).collect();
        first
            .grad
            .par_chunks_mut(SUM_PIECE)
            .enumerate()
            .for_each(|(i, sum)| {
                for grad in &grads {
                    let piece = &grad[i * SUM_PIECE..];
                    sum.iter_mut().zip(piece).for_each(|(a, &b)| *a += b);
                }
            });
    }
    crate::profile::step_lap("the parts' gradients summed");
    Ok((total * scale, parts))
}
