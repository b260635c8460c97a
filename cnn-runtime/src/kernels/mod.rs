//! The activations' math, shared by every generated network. Each works on a whole tensor of
//! any shape; the backward functions take the activation's *output*, which is all that sigmoid,
//! tanh and (leaky) relu need.

// By layer kind: the activations, dense layers, batch norm in inference, pooling, the join of
// residual blocks, the loads, stores and padded copies of the generated convolutions, and the
// arithmetic on `[T; L]` arrays that LLVM turns into vector instructions.
mod activation;
mod arrays;
mod batchnorm;
mod conv;
pub mod conv_loops;
mod dense;
mod pool;
mod residual;

pub use crate::float::exp_f32;
pub use activation::{
    leaky_relu, leaky_relu_backward, relu, relu_backward, sigmoid, sigmoid_backward, softmax,
    softmax_backward, tanh, tanh_backward,
};
pub use arrays::{add_lanes, add_products, add_scaled, head_mut, lanes, sum, sum_lanes};
pub use batchnorm::{batchnorm_infer, batchnorm_infer_backward};
pub use conv::{copy_padded, crop, load8, load8_strided, pad, store_head, store8};
pub use dense::{dense_backward, dense_backward_input, dense_forward, dense_forward_lanes};
pub use pool::{
    avgpool, avgpool_backward, global_avgpool, global_avgpool_backward, maxpool, maxpool_backward,
};
pub use residual::{add, add_assign};
