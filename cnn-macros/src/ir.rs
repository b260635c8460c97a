//! The network as data, after checking: every layer with its resolved shapes, its name, where
//! its parameters lie, and the user's span for messages and `quote_spanned!`.

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
}

impl Network {
    pub fn input_len(&self) -> usize {
        self.input.iter().product()
    }

    pub fn output_shape(&self) -> Shape {
        self.layers.last().map_or(
            Shape::Image {
                c: self.input[0] as u64,
                h: self.input[1] as u64,
                w: self.input[2] as u64,
            },
            |l| l.output,
        )
    }
}

pub struct Layer {
    /// The label, or kind and ordinal (`conv1`, `sigmoid2`), unraw.
    pub name: Ident,
    pub kind: Kind,
    pub input: Shape,
    pub output: Shape,
    /// The first scalar of its weight in the flat parameters (layers with parameters).
    pub param_offset: usize,
    pub span: Span,
}

pub enum Kind {
    Conv(Conv),
    Dense { n: usize, m: usize },
    Pool(Pool),
    Activation(Activation),
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
            Kind::Conv(c) => Some((c.filters * c.channels * c.kh * c.kw, c.filters)),
            Kind::Dense { n, m } => Some((n * m, *m)),
            Kind::Pool(_) | Kind::Activation(_) => None,
        }
    }
}
