//! The network as data, after checking: every layer with its resolved shapes, its names, where
//! its parameters and buffers lie, the tensors it reads, and the user's span for messages and
//! `quote_spanned!`.
//!
//! The layers are one flat list in the order they run. Tensor 0 is the network's input and
//! tensor `i + 1` the output of layer `i`; a layer reads the tensors in its `inputs`, usually
//! the one just before it. A residual block is its body's layers (the first reads the block's
//! input), its shortcut's layers (likewise), and an `Add` of the two ends (or of the body's end
//! and the block's input); so the passes walk a list, and a tensor read by two layers gets its
//! gradient from both.

use proc_macro2::Span;
use syn::{Attribute, Ident, Visibility};

use crate::shape::Shape;

pub struct Network {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// Channels, height, width of one example.
    pub input: [usize; 3],
    pub layers: Vec<Layer>,
    pub param_len: usize,
    /// Scalars of the buffers: the running mean and variance of every batch norm.
    pub buffer_len: usize,
}

impl Network {
    pub fn input_len(&self) -> usize {
        self.input.iter().product()
    }

    pub fn input_shape(&self) -> Shape {
        Shape::Image {
            c: self.input[0] as u64,
            h: self.input[1] as u64,
            w: self.input[2] as u64,
        }
    }

    pub fn output_shape(&self) -> Shape {
        self.layers.last().map_or(self.input_shape(), |l| l.output)
    }

    /// The shape of tensor `t`.
    pub fn tensor_shape(&self, t: usize) -> Shape {
        if t == 0 {
            self.input_shape()
        } else {
            self.layers[t - 1].output
        }
    }

    /// The layers that read tensor `t`, in order.
    pub fn consumers(&self, t: usize) -> Vec<usize> {
        (0..self.layers.len())
            .filter(|&i| self.layers[i].inputs.contains(&t))
            .collect()
    }

    /// Whether tensor `t` is read only by layer `i`, and once.
    pub fn only_read_by(&self, t: usize, i: usize) -> bool {
        self.consumers(t) == [i] && self.layers[i].inputs.iter().filter(|&&u| u == t).count() == 1
    }
}

pub struct Layer {
    /// For code, unique and a valid identifier: the label, or kind and ordinal (`conv1`,
    /// `sigmoid2`), prefixed inside blocks (`residual1_conv1`).
    pub name: Ident,
    /// For tensors in weight files: `conv1`, `residual1.conv1`, `residual1.shortcut.conv1`.
    pub path: String,
    pub kind: Kind,
    /// The tensors it reads: one, or two for `Add`.
    pub inputs: Vec<usize>,
    /// The shape of its (first) input.
    pub input: Shape,
    pub output: Shape,
    /// The first scalar of its weight in the flat parameters (layers with parameters).
    pub param_offset: usize,
    /// The first scalar of its buffers (batch norm: running mean, then running variance).
    pub buffer_offset: usize,
    pub span: Span,
}

pub enum Kind {
    Conv(Conv),
    Dense {
        n: usize,
        m: usize,
    },
    Pool(Pool),
    Activation(Activation),
    BatchNorm(BatchNorm),
    /// The probability of zeroing a value in training.
    Dropout(f64),
    /// The mean of each channel: `C x H x W` to `C`.
    GlobalAvgPool,
    /// An image as the flat vector of its values, in channel, row, column order.
    Flatten,
    /// The join of a residual block: the sum of its two inputs.
    Add,
}

pub struct Pool {
    /// Max pooling, else average.
    pub max: bool,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
}

pub struct Conv {
    pub filters: usize,
    pub channels: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    /// Filters and channels in `groups` groups, each filter seeing its group's channels.
    pub groups: usize,
}

impl Conv {
    /// Channels each filter sees.
    pub fn group_channels(&self) -> usize {
        self.channels / self.groups
    }

    /// Filters per group.
    pub fn group_filters(&self) -> usize {
        self.filters / self.groups
    }
}

/// Batch normalisation of `channels` channels (or features) of `spatial` values each per
/// example (`H x W` after a conv, 1 after a dense layer).
pub struct BatchNorm {
    pub channels: usize,
    pub spatial: usize,
    pub eps: f64,
    pub momentum: f64,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Activation {
    Sigmoid,
    Relu,
    Tanh,
    LeakyRelu(f64),
    Softmax,
}

impl Activation {
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Softmax => "softmax",
        }
    }
}

impl Layer {
    /// `(weight, bias)` lengths for a layer with parameters.
    pub fn param_lens(&self) -> Option<(usize, usize)> {
        match &self.kind {
            Kind::Conv(c) => Some((c.filters * c.group_channels() * c.kh * c.kw, c.filters)),
            Kind::Dense { n, m } => Some((n * m, *m)),
            Kind::BatchNorm(b) => Some((b.channels, b.channels)),
            Kind::Pool(_)
            | Kind::Activation(_)
            | Kind::Dropout(_)
            | Kind::GlobalAvgPool
            | Kind::Flatten
            | Kind::Add => None,
        }
    }

    /// Scalars of its buffers: a batch norm's running mean and variance.
    pub fn buffer_len(&self) -> usize {
        match &self.kind {
            Kind::BatchNorm(b) => 2 * b.channels,
            _ => 0,
        }
    }
}
