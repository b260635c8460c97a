// The expansion of `network! { pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid } }`,
// formatted by prettyplease. Regenerate with `UPDATE_EXPAND=1 cargo test -p cnn-macros`.

/// The network of the derivation: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
///
/// `SeedNet` computes in `f32`; `SeedNet<f64>` is the same network in `f64` (for gradient checks). The parameters live on the heap with `cnn`'s `std` feature, inline without it.
pub struct SeedNet<T = f32> {
    params: ::cnn::__private::ParamStore<T, 411>,
    buffers: ::cnn::__private::ParamStore<T, 0>,
    steps: u64,
}
impl<T: ::cnn::Float> ::core::clone::Clone for SeedNet<T> {
    fn clone(&self) -> Self {
        SeedNet {
            params: ::cnn::__private::params_clone(&self.params),
            buffers: ::cnn::__private::params_clone(&self.buffers),
            steps: self.steps,
        }
    }
}
impl<T: ::cnn::Float> ::core::fmt::Debug for SeedNet<T> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("SeedNet")
            .field("scalar", &T::NAME)
            .field("param_len", &411)
            .finish_non_exhaustive()
    }
}
/// Sizes and constructors of the `f32` network; `SeedNet::<f64>`, its double-precision twin, has the same through the `cnn::Network` trait.
impl SeedNet<f32> {
    /// `[C, H, W]` of one example.
    pub const INPUT_SHAPE: [usize; 3] = [1, 22, 22];
    /// `C * H * W`.
    pub const INPUT_LEN: usize = 484;
    /// The length of one example's output.
    pub const OUTPUT_LEN: usize = 1;
    /// The number of trainable scalars.
    pub const PARAM_LEN: usize = 411;
    /// A table of the layers, their output shapes, parameters and FLOPs, built at
    /// compile time.
    pub const SUMMARY: &'static str = "SeedNet\nlayer               output   params  FLOPs\n------------------------------------------\ninput               1x22x22       0      0\nconv1 (conv 3x3)    1x20x20      10  7,200\nsigmoid1 (sigmoid)  1x20x20       0      0\ndense1 (dense)      1           401    800\nsigmoid2 (sigmoid)  1             0      0\n------------------------------------------\nparameters: 411\nFLOPs per example: 8,000 forward, 16,800 training step\nmemory in f32: parameters 1,644 bytes, forward 5,192 bytes of layer outputs, training 7,088 bytes per example\nmemory in int8: network 985 bytes, forward 803 bytes of layer outputs\n";
    ::cnn::__private::with_std! {
        /// A network initialised from a seeded generator: the same seed gives the same weights.
        pub fn new(seed: u64) -> Self {
            <Self as ::cnn::Network>::new(seed)
        }
    }
    /// A network whose parameters are all zero.
    pub fn zeroed() -> Self {
        <Self as ::cnn::Network>::zeroed()
    }
    ::cnn::__private::without_std! {
        #[doc =
        r" The network in a flash image (`cnn::flash::image`), decoded at compile time in"]
        #[doc = r" a `static` or `const`, so that it lives in read-only memory."] #[doc =
        r""] #[doc = r" # Panics"] #[doc =
        r" When the image is of another network or kind: in a `const`, a compile error."]
        pub const fn from_flash(image : & [u8]) -> Self { let mut r =
        ::cnn::flash::Reader::new(image, ::cnn::flash::Kind::F32, Self::SUMMARY); let net
        = SeedNet { params : r.f32s(), buffers : r.f32s(), steps : 0 }; r.finish(); net }
    }
    /// The int8 network in a flash image (`cnn::flash::int8_image`), decoded at compile
    /// time in a `static` or `const`.
    ///
    /// # Panics
    /// When the image is of another network or kind: in a `const`, a compile error.
    pub const fn int8_from_flash(image: &[u8]) -> ::cnn::quant::Int8<Self> {
        let mut r = ::cnn::flash::Reader::new(
            image,
            ::cnn::flash::Kind::Int8,
            Self::SUMMARY,
        );
        let q = ::cnn::quant::Int8::from_parts(
            r.i8s(),
            r.i32s(),
            r.multipliers(),
            r.f32s(),
        );
        r.finish();
        q
    }
    ::cnn::__private::with_std! {
        /// Reads a network written by `save` (or by PyTorch, with the same tensor names).
        ///
        /// # Errors
        /// `cnn::Error` naming what is wrong with the file: I/O, format, a missing, extra,
        /// mis-shaped or mis-typed tensor.
        pub fn load(
            path: impl ::core::convert::AsRef<::cnn::__private::Path>,
        ) -> ::core::result::Result<Self, ::cnn::Error> {
            <Self as ::cnn::Network>::load(path)
        }
    }
}
impl<T: ::cnn::Float> SeedNet<T> {
    /// The output for one example. Allocates nothing and needs no `std`; a NaN in the
    /// input propagates to the output (the batch functions refuse it instead).
    pub fn forward(&self, x: &[T; 484]) -> [T; 1] {
        <Self as ::cnn::Network>::forward(self, x)
    }
    ::cnn::__private::with_std! {
        /// Prints [`Self::SUMMARY`](#associatedconstant.SUMMARY).
        pub fn summary(&self) {
            ::cnn::__private::print!("{}", < Self as ::cnn::Network > ::SUMMARY);
        }
        /// Writes the parameters as safetensors, atomically: tensors `<label>.weight` and
        /// `<label>.bias` in PyTorch's shapes, so a `torch.nn` module with the same names
        /// loads them.
        ///
        /// # Errors
        /// `cnn::Error::Io` when the file cannot be written; a previous file is left intact.
        pub fn save(
            &self,
            path: impl ::core::convert::AsRef<::cnn::__private::Path>,
        ) -> ::core::result::Result<(), ::cnn::Error> {
            <Self as ::cnn::Network>::save(self, path)
        }
    }
    /// All parameters, flat, in layer order, weight then bias, in PyTorch's layouts.
    pub fn params(&self) -> &[T] {
        &self.params[..]
    }
    /// All parameters, flat and mutable.
    pub fn params_mut(&mut self) -> &mut [T] {
        &mut self.params[..]
    }
    ::cnn::__private::with_std! {
        /// The outputs for a batch `[N, C, H, W]` (any strides), as `[N, OUTPUT_LEN]`.
        ///
        /// # Errors
        /// `cnn::Error::Shape` when `x` is not `[N, C, H, W]` with this network's
        /// `C, H, W`; `cnn::Error::NonFinite` for a NaN or infinite input.
        pub fn forward_batch(
            &self,
            x: ::cnn::ndarray::ArrayView4<'_, T>,
        ) -> ::core::result::Result<::cnn::ndarray::Array2<T>, ::cnn::Error> {
            <Self as ::cnn::Network>::forward_batch(self, x)
        }
        /// The mean loss over the batch and its gradient for every parameter, in the order and
        /// layout of `params()`.
        ///
        /// # Errors
        /// See `cnn::Network::loss_and_grad`: wrong shapes, an empty batch, non-finite data.
        pub fn loss_and_grad<L: ::cnn::loss::Loss>(
            &self,
            x: ::cnn::ndarray::ArrayView4<'_, T>,
            targets: ::cnn::ndarray::ArrayView2<'_, T>,
            loss: &L,
        ) -> ::core::result::Result<(T, ::cnn::__private::Vec<T>), ::cnn::Error> {
            <Self as ::cnn::Network>::loss_and_grad(self, x, targets, loss)
        }
        /// One optimizer step on a batch; returns the mean loss before the step.
        ///
        /// # Errors
        /// See `cnn::Network::train_step`; the parameters are unchanged after an error.
        pub fn train_step<L: ::cnn::loss::Loss, O: ::cnn::optim::Optimizer>(
            &mut self,
            x: ::cnn::ndarray::ArrayView4<'_, T>,
            targets: ::cnn::ndarray::ArrayView2<'_, T>,
            loss: &L,
            optimizer: &mut O,
        ) -> ::core::result::Result<T, ::cnn::Error> {
            <Self as ::cnn::Network>::train_step(self, x, targets, loss, optimizer)
        }
    }
    /// The gradient of one example's loss with respect to its input (a saliency map), and
    /// the loss.
    pub fn input_gradient<L: ::cnn::loss::Loss>(
        &self,
        x: &[T; 484],
        target: &[T; 1],
        loss: &L,
    ) -> ([T; 484], T) {
        let mut dx = [T::ZERO; 484];
        let l = <Self as ::cnn::Network>::input_gradient(self, x, target, loss, &mut dx);
        (dx, l)
    }
    /// `conv1.weight`, within `params()`.
    #[inline(always)]
    fn conv1_weight(&self) -> &[[[[T; 3]; 3]; 1]; 1] {
        ::cnn::__private::part::<_, _, 0>(::cnn::__private::params_of(&self.params))
    }
    /// `conv1.bias`, within `params()`.
    #[inline(always)]
    fn conv1_bias(&self) -> &[T; 1] {
        ::cnn::__private::part::<_, _, 9>(::cnn::__private::params_of(&self.params))
    }
    /// `dense1.weight`, within `params()`.
    #[inline(always)]
    fn dense1_weight(&self) -> &[[T; 400]; 1] {
        ::cnn::__private::part::<_, _, 10>(::cnn::__private::params_of(&self.params))
    }
    /// `dense1.bias`, within `params()`.
    #[inline(always)]
    fn dense1_bias(&self) -> &[T; 1] {
        ::cnn::__private::part::<_, _, 410>(::cnn::__private::params_of(&self.params))
    }
    /// The sizes of `conv1`, for the plain loops that CPUs without AVX2 and FMA run.
    #[inline(always)]
    fn conv1_shape() -> &'static ::cnn::__private::conv_loops::ConvShape {
        &::cnn::__private::conv_loops::ConvShape {
            c: 1,
            h: 22,
            w: 22,
            f: 1,
            oh: 20,
            ow: 20,
            kh: 3,
            kw: 3,
            stride: 1,
            pad_h: 0,
            pad_w: 0,
            groups: 1,
        }
    }
    /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
    ///
    /// Forward, one example: `Z[f][i][j] = b[f] + sum_c sum_(u<3,v<3) W[f][c][u][v] X[c][i + u][j + v]`, a correlation, eight columns `j` per vector.
    #[inline(always)]
    fn conv1_forward<S: ::cnn::__private::Lanes<T>>(
        s: S,
        w: &[[[[T; 3]; 3]; 1]; 1],
        b: &[T; 1],
        x: &[[[T; 22]; 22]; 1],
        z: &mut [[[T; 20]; 20]; 1],
        xs: &mut [T; 495],
    ) {
        if const { !<S as ::cnn::__private::Simd>::UNROLLS } {
            let _ = xs;
            ::cnn::__private::conv_loops::forward(
                s,
                Self::conv1_shape(),
                w.as_flattened().as_flattened().as_flattened(),
                b,
                x.as_flattened().as_flattened(),
                z.as_flattened_mut().as_flattened_mut(),
                ::cnn::__private::act::Identity,
            );
            return;
        }
        ::cnn::__private::copy_padded::<T, 1, 22, 22, 22, 22>(x, xs);
        let xs: &[T] = xs;
        for i_tile in 0..4 {
            let i = i_tile * 5;
            {
                let f = 0;
                {
                    let j = 0;
                    let mut z0_0 = s.splat(b[f]);
                    let mut z0_1 = s.splat(b[f]);
                    let mut z0_2 = s.splat(b[f]);
                    let mut z0_3 = s.splat(b[f]);
                    let mut z0_4 = s.splat(b[f]);
                    let mut z0_5 = s.splat(b[f]);
                    let mut z0_6 = s.splat(b[f]);
                    let mut z0_7 = s.splat(b[f]);
                    let mut z0_8 = s.splat(b[f]);
                    let mut z0_9 = s.splat(b[f]);
                    for c in 0..1 {
                        /// tap (0, 0)
                        {
                            let w0 = s.splat(w[f][c][0][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 8,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 8,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 8,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 8,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 8,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (0, 1)
                        {
                            let w0 = s.splat(w[f][c][0][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 9,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 9,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 9,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 9,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 9,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (0, 2)
                        {
                            let w0 = s.splat(w[f][c][0][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 10,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 10,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 10,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 10,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 10,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 0)
                        {
                            let w0 = s.splat(w[f][c][1][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 8,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 8,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 8,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 8,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 8,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 1)
                        {
                            let w0 = s.splat(w[f][c][1][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 9,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 9,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 9,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 9,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 9,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 2)
                        {
                            let w0 = s.splat(w[f][c][1][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 10,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 10,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 10,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 10,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 10,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 0)
                        {
                            let w0 = s.splat(w[f][c][2][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 8,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 8,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 8,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 8,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 8,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 1)
                        {
                            let w0 = s.splat(w[f][c][2][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 9,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 9,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 9,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 9,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 9,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 2)
                        {
                            let w0 = s.splat(w[f][c][2][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 10,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 10,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 10,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 10,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 10,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                    }
                    ::cnn::__private::store8(s, &mut z[f][i], j, z0_0);
                    ::cnn::__private::store8(s, &mut z[f][i], j + 8, z0_1);
                    ::cnn::__private::store8(s, &mut z[f][i + 1], j, z0_2);
                    ::cnn::__private::store8(s, &mut z[f][i + 1], j + 8, z0_3);
                    ::cnn::__private::store8(s, &mut z[f][i + 2], j, z0_4);
                    ::cnn::__private::store8(s, &mut z[f][i + 2], j + 8, z0_5);
                    ::cnn::__private::store8(s, &mut z[f][i + 3], j, z0_6);
                    ::cnn::__private::store8(s, &mut z[f][i + 3], j + 8, z0_7);
                    ::cnn::__private::store8(s, &mut z[f][i + 4], j, z0_8);
                    ::cnn::__private::store8(s, &mut z[f][i + 4], j + 8, z0_9);
                }
            }
        }
        for i_tile in 0..2 {
            let i = i_tile * 10;
            {
                let f = 0;
                {
                    let j = 16;
                    let mut z0_0 = s.splat(b[f]);
                    let mut z0_1 = s.splat(b[f]);
                    let mut z0_2 = s.splat(b[f]);
                    let mut z0_3 = s.splat(b[f]);
                    let mut z0_4 = s.splat(b[f]);
                    let mut z0_5 = s.splat(b[f]);
                    let mut z0_6 = s.splat(b[f]);
                    let mut z0_7 = s.splat(b[f]);
                    let mut z0_8 = s.splat(b[f]);
                    let mut z0_9 = s.splat(b[f]);
                    for c in 0..1 {
                        /// tap (0, 0)
                        {
                            let w0 = s.splat(w[f][c][0][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (0, 1)
                        {
                            let w0 = s.splat(w[f][c][0][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 1,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 1,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 1,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 1,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (0, 2)
                        {
                            let w0 = s.splat(w[f][c][0][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 2,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 2,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 2,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 2,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 0)
                        {
                            let w0 = s.splat(w[f][c][1][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 1)
                        {
                            let w0 = s.splat(w[f][c][1][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 1,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 1,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j + 1,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (1, 2)
                        {
                            let w0 = s.splat(w[f][c][1][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 1) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 2,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 2,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j + 2,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 0)
                        {
                            let w0 = s.splat(w[f][c][2][0]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 11) * 22 + j,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 1)
                        {
                            let w0 = s.splat(w[f][c][2][1]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 1,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 1,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 1,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 1,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 1,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 1,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 1,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 1,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j + 1,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 11) * 22 + j + 1,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                        /// tap (2, 2)
                        {
                            let w0 = s.splat(w[f][c][2][2]);
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 2) * 22 + j + 2,
                                );
                                z0_0 = s.mul_add(w0, x, z0_0);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 3) * 22 + j + 2,
                                );
                                z0_1 = s.mul_add(w0, x, z0_1);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 4) * 22 + j + 2,
                                );
                                z0_2 = s.mul_add(w0, x, z0_2);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 5) * 22 + j + 2,
                                );
                                z0_3 = s.mul_add(w0, x, z0_3);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 6) * 22 + j + 2,
                                );
                                z0_4 = s.mul_add(w0, x, z0_4);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 7) * 22 + j + 2,
                                );
                                z0_5 = s.mul_add(w0, x, z0_5);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 8) * 22 + j + 2,
                                );
                                z0_6 = s.mul_add(w0, x, z0_6);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 9) * 22 + j + 2,
                                );
                                z0_7 = s.mul_add(w0, x, z0_7);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 10) * 22 + j + 2,
                                );
                                z0_8 = s.mul_add(w0, x, z0_8);
                            }
                            {
                                let x = ::cnn::__private::load8(
                                    s,
                                    xs,
                                    (c) * 484 + (i + 11) * 22 + j + 2,
                                );
                                z0_9 = s.mul_add(w0, x, z0_9);
                            }
                        }
                    }
                    ::cnn::__private::store_head::<T, S, 4>(s, &mut z[f][i], j, z0_0);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 1], j, z0_1);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 2], j, z0_2);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 3], j, z0_3);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 4], j, z0_4);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 5], j, z0_5);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 6], j, z0_6);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 7], j, z0_7);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 8], j, z0_8);
                    ::cnn::__private::store_head::<
                        T,
                        S,
                        4,
                    >(s, &mut z[f][i + 9], j, z0_9);
                }
            }
        }
    }
    /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
    ///
    /// Backward, parameters: `dW[f][c][u][v] += sum_(i,j) dZ[f][i][j] X[c][i + u][j + v]`,
    /// the correlation of the layer's input with `dL/dZ`; `db[f] += sum_(i,j) dZ[f][i][j]`.
    #[inline]
    fn conv1_backward(
        x: &[[[T; 22]; 22]; 1],
        dz: &[[[T; 20]; 20]; 1],
        dw: &mut [[[[T; 3]; 3]; 1]; 1],
        db: &mut [T; 1],
    ) {
        use ::cnn::__private::{add_products, head_mut, lanes, sum_lanes};
        for f in 0..1 {
            for c in 0..1 {
                let dw_fc = &mut dw[f][c];
                {
                    let mut g00 = [T::ZERO; 8];
                    let mut g01 = [T::ZERO; 8];
                    let mut g02 = [T::ZERO; 8];
                    for i in 0..20 {
                        let dz_i = &dz[f][i];
                        let x_u = &x[c][i];
                        for k in 0..2 {
                            let j = k * 8;
                            let d = lanes::<_, 8, 1>(dz_i, j);
                            add_products(&mut g00, d, lanes::<_, 8, 1>(x_u, j));
                            add_products(&mut g01, d, lanes::<_, 8, 1>(x_u, j + 1));
                            add_products(&mut g02, d, lanes::<_, 8, 1>(x_u, j + 2));
                        }
                        {
                            let j = 16;
                            let d = lanes::<_, 4, 1>(dz_i, j);
                            add_products(
                                head_mut::<_, 8, 4>(&mut g00),
                                d,
                                lanes::<_, 4, 1>(x_u, j),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g01),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 1),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g02),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 2),
                            );
                        }
                    }
                    dw_fc[0][0] += sum_lanes(g00);
                    dw_fc[0][1] += sum_lanes(g01);
                    dw_fc[0][2] += sum_lanes(g02);
                }
                {
                    let mut g10 = [T::ZERO; 8];
                    let mut g11 = [T::ZERO; 8];
                    let mut g12 = [T::ZERO; 8];
                    for i in 0..20 {
                        let dz_i = &dz[f][i];
                        let x_u = &x[c][i + 1];
                        for k in 0..2 {
                            let j = k * 8;
                            let d = lanes::<_, 8, 1>(dz_i, j);
                            add_products(&mut g10, d, lanes::<_, 8, 1>(x_u, j));
                            add_products(&mut g11, d, lanes::<_, 8, 1>(x_u, j + 1));
                            add_products(&mut g12, d, lanes::<_, 8, 1>(x_u, j + 2));
                        }
                        {
                            let j = 16;
                            let d = lanes::<_, 4, 1>(dz_i, j);
                            add_products(
                                head_mut::<_, 8, 4>(&mut g10),
                                d,
                                lanes::<_, 4, 1>(x_u, j),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g11),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 1),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g12),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 2),
                            );
                        }
                    }
                    dw_fc[1][0] += sum_lanes(g10);
                    dw_fc[1][1] += sum_lanes(g11);
                    dw_fc[1][2] += sum_lanes(g12);
                }
                {
                    let mut g20 = [T::ZERO; 8];
                    let mut g21 = [T::ZERO; 8];
                    let mut g22 = [T::ZERO; 8];
                    for i in 0..20 {
                        let dz_i = &dz[f][i];
                        let x_u = &x[c][i + 2];
                        for k in 0..2 {
                            let j = k * 8;
                            let d = lanes::<_, 8, 1>(dz_i, j);
                            add_products(&mut g20, d, lanes::<_, 8, 1>(x_u, j));
                            add_products(&mut g21, d, lanes::<_, 8, 1>(x_u, j + 1));
                            add_products(&mut g22, d, lanes::<_, 8, 1>(x_u, j + 2));
                        }
                        {
                            let j = 16;
                            let d = lanes::<_, 4, 1>(dz_i, j);
                            add_products(
                                head_mut::<_, 8, 4>(&mut g20),
                                d,
                                lanes::<_, 4, 1>(x_u, j),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g21),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 1),
                            );
                            add_products(
                                head_mut::<_, 8, 4>(&mut g22),
                                d,
                                lanes::<_, 4, 1>(x_u, j + 2),
                            );
                        }
                    }
                    dw_fc[2][0] += sum_lanes(g20);
                    dw_fc[2][1] += sum_lanes(g21);
                    dw_fc[2][2] += sum_lanes(g22);
                }
            }
            db[f] += ::cnn::__private::sum(dz[f].as_flattened());
        }
    }
    /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
    ///
    /// Backward, input: the full convolution of `dL/dZ` with the filters rotated by 180
    /// degrees. `dL/dZ` is laid into `dZp` (stride - 1 zeros between entries, a border of
    /// K - 1 zeros), which turns it into a valid correlation:
    /// `dX[c][i][j] = sum_f sum_(u,v) rot(W)[f][c][u][v] dZp[f][i + u][j + v]`,
    /// with `rot(W)[u][v] = W[2-u][2-v]`, so the first term of `r0` pairs `dZp[i][j]` with `W[2][2]`.
    #[inline]
    #[allow(clippy::needless_range_loop)]
    fn conv1_backward_input(
        w: &[[[[T; 3]; 3]; 1]; 1],
        dz: &[[[T; 20]; 20]; 1],
        dx: &mut [[[T; 22]; 22]; 1],
    ) {
        use ::cnn::__private::{add_lanes, add_scaled, lanes};
        let mut dzp: [[[T; 24]; 24]; 1] = ::cnn::__private::Tensor::zeroed();
        for f in 0..1 {
            for i in 0..20 {
                dzp[f][i + 2][2..22].copy_from_slice(&dz[f][i]);
            }
        }
        *dx = ::cnn::__private::Tensor::zeroed();
        for c in 0..1 {
            for i in 0..22 {
                for k in 0..2 {
                    let j = k * 8;
                    let mut acc = [T::ZERO; 8];
                    for f in 0..1 {
                        let [[w00, w01, w02], [w10, w11, w12], [w20, w21, w22]] = w[f][c];
                        let d0 = &dzp[f][i];
                        let d1 = &dzp[f][i + 1];
                        let d2 = &dzp[f][i + 2];
                        if (2..22).contains(&(i)) {
                            let mut r0 = [T::ZERO; 8];
                            add_scaled(&mut r0, w22, lanes::<_, 8, 1>(d0, j));
                            add_scaled(&mut r0, w21, lanes::<_, 8, 1>(d0, j + 1));
                            add_scaled(&mut r0, w20, lanes::<_, 8, 1>(d0, j + 2));
                            add_lanes(&mut acc, r0);
                        }
                        if (2..22).contains(&(i + 1)) {
                            let mut r1 = [T::ZERO; 8];
                            add_scaled(&mut r1, w12, lanes::<_, 8, 1>(d1, j));
                            add_scaled(&mut r1, w11, lanes::<_, 8, 1>(d1, j + 1));
                            add_scaled(&mut r1, w10, lanes::<_, 8, 1>(d1, j + 2));
                            add_lanes(&mut acc, r1);
                        }
                        if (2..22).contains(&(i + 2)) {
                            let mut r2 = [T::ZERO; 8];
                            add_scaled(&mut r2, w02, lanes::<_, 8, 1>(d2, j));
                            add_scaled(&mut r2, w01, lanes::<_, 8, 1>(d2, j + 1));
                            add_scaled(&mut r2, w00, lanes::<_, 8, 1>(d2, j + 2));
                            add_lanes(&mut acc, r2);
                        }
                    }
                    dx[c][i][j..j + 8].copy_from_slice(&acc);
                }
                {
                    let j = 16;
                    let mut acc = [T::ZERO; 6];
                    for f in 0..1 {
                        let [[w00, w01, w02], [w10, w11, w12], [w20, w21, w22]] = w[f][c];
                        let d0 = &dzp[f][i];
                        let d1 = &dzp[f][i + 1];
                        let d2 = &dzp[f][i + 2];
                        if (2..22).contains(&(i)) {
                            let mut r0 = [T::ZERO; 6];
                            add_scaled(&mut r0, w22, lanes::<_, 6, 1>(d0, j));
                            add_scaled(&mut r0, w21, lanes::<_, 6, 1>(d0, j + 1));
                            add_scaled(&mut r0, w20, lanes::<_, 6, 1>(d0, j + 2));
                            add_lanes(&mut acc, r0);
                        }
                        if (2..22).contains(&(i + 1)) {
                            let mut r1 = [T::ZERO; 6];
                            add_scaled(&mut r1, w12, lanes::<_, 6, 1>(d1, j));
                            add_scaled(&mut r1, w11, lanes::<_, 6, 1>(d1, j + 1));
                            add_scaled(&mut r1, w10, lanes::<_, 6, 1>(d1, j + 2));
                            add_lanes(&mut acc, r1);
                        }
                        if (2..22).contains(&(i + 2)) {
                            let mut r2 = [T::ZERO; 6];
                            add_scaled(&mut r2, w02, lanes::<_, 6, 1>(d2, j));
                            add_scaled(&mut r2, w01, lanes::<_, 6, 1>(d2, j + 1));
                            add_scaled(&mut r2, w00, lanes::<_, 6, 1>(d2, j + 2));
                            add_lanes(&mut acc, r2);
                        }
                    }
                    dx[c][i][j..j + 6].copy_from_slice(&acc);
                }
            }
        }
    }
    ::cnn::__private::with_std! {
        /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
        ///
        /// Forward, on a batch: `Z[f][i][j] = b[f] + sum_c sum_(u<3,v<3) W[f][c][u][v] X[c][i + u][j + v]`, a correlation, in tiles of 1 filters x 10 columns. The activation that follows is applied to each output row once it is stored.
        #[inline(always)]
        fn conv1_forward_batch<S: ::cnn::__private::Lanes<T>>(
            s: S,
            w: &[[[[T; 3]; 3]; 1]; 1],
            b: &[T; 1],
            x: &[[[[::cnn::__private::Pack<T>; 22]; 22]; 1]],
            z: &mut [[[[::cnn::__private::Pack<T>; 20]; 20]; 1]],
        ) {
            if const { !<S as ::cnn::__private::Simd>::UNROLLS } {
                for (x, z) in x.iter().zip(z.iter_mut()) {
                    ::cnn::__private::conv_loops::forward_batch(
                        s,
                        Self::conv1_shape(),
                        w.as_flattened().as_flattened().as_flattened(),
                        b,
                        ::cnn::__private::batch::packs(x),
                        ::cnn::__private::batch::packs_mut(z),
                        ::cnn::__private::act::Sigmoid,
                    );
                }
                return;
            }
            for (x, z) in x.iter().zip(z.iter_mut()) {
                for i in 0..20 {
                    {
                        let f = 0;
                        for j_tile in 0..2 {
                            let j = j_tile * 10;
                            let mut z0_0 = s.splat(b[f]);
                            let mut z0_1 = s.splat(b[f]);
                            let mut z0_2 = s.splat(b[f]);
                            let mut z0_3 = s.splat(b[f]);
                            let mut z0_4 = s.splat(b[f]);
                            let mut z0_5 = s.splat(b[f]);
                            let mut z0_6 = s.splat(b[f]);
                            let mut z0_7 = s.splat(b[f]);
                            let mut z0_8 = s.splat(b[f]);
                            let mut z0_9 = s.splat(b[f]);
                            for c in 0..1 {
                                /// tap (0, 0)
                                {
                                    let w0 = s.splat(w[f][c][0][0]);
                                    {
                                        let x = s.load(&x[c][i][j]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 1]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 2]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 3]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 4]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 5]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 6]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 7]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 8]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 9]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (0, 1)
                                {
                                    let w0 = s.splat(w[f][c][0][1]);
                                    {
                                        let x = s.load(&x[c][i][j + 1]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 2]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 3]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 4]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 5]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 6]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 7]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 8]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 9]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 10]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (0, 2)
                                {
                                    let w0 = s.splat(w[f][c][0][2]);
                                    {
                                        let x = s.load(&x[c][i][j + 2]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 3]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 4]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 5]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 6]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 7]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 8]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 9]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 10]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i][j + 11]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (1, 0)
                                {
                                    let w0 = s.splat(w[f][c][1][0]);
                                    {
                                        let x = s.load(&x[c][i + 1][j]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 1]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 2]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 3]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 4]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 5]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 6]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 7]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 8]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 9]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (1, 1)
                                {
                                    let w0 = s.splat(w[f][c][1][1]);
                                    {
                                        let x = s.load(&x[c][i + 1][j + 1]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 2]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 3]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 4]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 5]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 6]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 7]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 8]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 9]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 10]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (1, 2)
                                {
                                    let w0 = s.splat(w[f][c][1][2]);
                                    {
                                        let x = s.load(&x[c][i + 1][j + 2]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 3]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 4]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 5]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 6]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 7]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 8]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 9]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 10]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 1][j + 11]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (2, 0)
                                {
                                    let w0 = s.splat(w[f][c][2][0]);
                                    {
                                        let x = s.load(&x[c][i + 2][j]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 1]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 2]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 3]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 4]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 5]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 6]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 7]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 8]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 9]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (2, 1)
                                {
                                    let w0 = s.splat(w[f][c][2][1]);
                                    {
                                        let x = s.load(&x[c][i + 2][j + 1]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 2]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 3]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 4]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 5]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 6]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 7]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 8]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 9]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 10]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                                /// tap (2, 2)
                                {
                                    let w0 = s.splat(w[f][c][2][2]);
                                    {
                                        let x = s.load(&x[c][i + 2][j + 2]);
                                        z0_0 = s.mul_add(w0, x, z0_0);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 3]);
                                        z0_1 = s.mul_add(w0, x, z0_1);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 4]);
                                        z0_2 = s.mul_add(w0, x, z0_2);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 5]);
                                        z0_3 = s.mul_add(w0, x, z0_3);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 6]);
                                        z0_4 = s.mul_add(w0, x, z0_4);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 7]);
                                        z0_5 = s.mul_add(w0, x, z0_5);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 8]);
                                        z0_6 = s.mul_add(w0, x, z0_6);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 9]);
                                        z0_7 = s.mul_add(w0, x, z0_7);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 10]);
                                        z0_8 = s.mul_add(w0, x, z0_8);
                                    }
                                    {
                                        let x = s.load(&x[c][i + 2][j + 11]);
                                        z0_9 = s.mul_add(w0, x, z0_9);
                                    }
                                }
                            }
                            s.store(&mut z[f][i][j], z0_0);
                            s.store(&mut z[f][i][j + 1], z0_1);
                            s.store(&mut z[f][i][j + 2], z0_2);
                            s.store(&mut z[f][i][j + 3], z0_3);
                            s.store(&mut z[f][i][j + 4], z0_4);
                            s.store(&mut z[f][i][j + 5], z0_5);
                            s.store(&mut z[f][i][j + 6], z0_6);
                            s.store(&mut z[f][i][j + 7], z0_7);
                            s.store(&mut z[f][i][j + 8], z0_8);
                            s.store(&mut z[f][i][j + 9], z0_9);
                        }
                    }
                    for z_f in z.iter_mut() {
                        ::cnn::__private::act::apply_in_place(
                            s,
                            ::cnn::__private::act::Sigmoid,
                            &mut z_f[i],
                        );
                    }
                }
            }
        }
        /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
        ///
        /// Backward, parameters, on a batch: `dW[f][c][u][v] += sum_(n,i,j) dZ[f][i][j] X[c][i + u][j + v]`, the correlation of the layer's input with `dL/dZ`, and `db[f] += sum_(n,i,j) dZ[f][i][j]`; in tiles of 1 filters x 9 taps, each weight's sum kept in one pack.
        #[inline(always)]
        fn conv1_backward_batch<S: ::cnn::__private::Lanes<T>>(
            s: S,
            x: &[[[[::cnn::__private::Pack<T>; 22]; 22]; 1]],
            dz: &[[[[::cnn::__private::Pack<T>; 20]; 20]; 1]],
            dw: &mut [[[[::cnn::__private::Pack<T>; 3]; 3]; 1]; 1],
            db: &mut [::cnn::__private::Pack<T>; 1],
        ) {
            if const { !<S as ::cnn::__private::Simd>::UNROLLS } {
                for (x, dz) in x.iter().zip(dz) {
                    ::cnn::__private::conv_loops::backward_batch(
                        s,
                        Self::conv1_shape(),
                        ::cnn::__private::batch::packs(x),
                        ::cnn::__private::batch::packs(dz),
                        ::cnn::__private::batch::packs_mut(dw),
                        db,
                    );
                }
                return;
            }
            for (x, dz) in x.iter().zip(dz) {
                for c in 0..1 {
                    {
                        let u = 0;
                        {
                            let f = 0;
                            {
                                let v = 0;
                                let mut g0_0 = s.load(&dw[f][c][u][v]);
                                let mut g0_1 = s.load(&dw[f][c][u][v + 1]);
                                let mut g0_2 = s.load(&dw[f][c][u][v + 2]);
                                let mut g0_3 = s.load(&dw[f][c][u + 1][v]);
                                let mut g0_4 = s.load(&dw[f][c][u + 1][v + 1]);
                                let mut g0_5 = s.load(&dw[f][c][u + 1][v + 2]);
                                let mut g0_6 = s.load(&dw[f][c][u + 2][v]);
                                let mut g0_7 = s.load(&dw[f][c][u + 2][v + 1]);
                                let mut g0_8 = s.load(&dw[f][c][u + 2][v + 2]);
                                for i in 0..20 {
                                    for j in 0..20 {
                                        let d0 = s.load(&dz[f][i][j]);
                                        {
                                            let x = s.load(&x[c][i + u][j + v]);
                                            g0_0 = s.mul_add(d0, x, g0_0);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u][j + v + 1]);
                                            g0_1 = s.mul_add(d0, x, g0_1);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u][j + v + 2]);
                                            g0_2 = s.mul_add(d0, x, g0_2);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 1][j + v]);
                                            g0_3 = s.mul_add(d0, x, g0_3);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 1][j + v + 1]);
                                            g0_4 = s.mul_add(d0, x, g0_4);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 1][j + v + 2]);
                                            g0_5 = s.mul_add(d0, x, g0_5);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 2][j + v]);
                                            g0_6 = s.mul_add(d0, x, g0_6);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 2][j + v + 1]);
                                            g0_7 = s.mul_add(d0, x, g0_7);
                                        }
                                        {
                                            let x = s.load(&x[c][i + u + 2][j + v + 2]);
                                            g0_8 = s.mul_add(d0, x, g0_8);
                                        }
                                    }
                                }
                                s.store(&mut dw[f][c][u][v], g0_0);
                                s.store(&mut dw[f][c][u][v + 1], g0_1);
                                s.store(&mut dw[f][c][u][v + 2], g0_2);
                                s.store(&mut dw[f][c][u + 1][v], g0_3);
                                s.store(&mut dw[f][c][u + 1][v + 1], g0_4);
                                s.store(&mut dw[f][c][u + 1][v + 2], g0_5);
                                s.store(&mut dw[f][c][u + 2][v], g0_6);
                                s.store(&mut dw[f][c][u + 2][v + 1], g0_7);
                                s.store(&mut dw[f][c][u + 2][v + 2], g0_8);
                            }
                        }
                    }
                }
                ::cnn::__private::batch::add_filter_sums(
                    s,
                    db,
                    dz.as_flattened().as_flattened(),
                );
            }
        }
        /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
        ///
        /// Backward, input, on a batch: the full convolution of `dL/dZ` with the filters rotated by 180 degrees, `rot(W)[u][v] = W[2-u][2-v]`: `dX[c][y][x] = sum_f sum_(u,v) W[f][c][u][v] dZ[f][y + 0 - u][x + 0 - v]` over the taps that land inside `dZ` (the zeros around it add nothing). Written with `q = y + P` and tap `tu = u`, `tv = v`: the statements read `w[f][c][tu][tv] * dz[f][q - tu][p + col - tv]`, the row taps `tu` running where `q - tu` is a row of `dZ`.
        #[inline(always)]
        fn conv1_backward_input_batch<S: ::cnn::__private::Lanes<T>>(
            s: S,
            w: &[[[[T; 3]; 3]; 1]; 1],
            dz: &[[[[::cnn::__private::Pack<T>; 20]; 20]; 1]],
            dx: &mut [[[[::cnn::__private::Pack<T>; 22]; 22]; 1]],
        ) {
            if const { !<S as ::cnn::__private::Simd>::UNROLLS } {
                for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
                    ::cnn::__private::conv_loops::backward_input_batch(
                        s,
                        Self::conv1_shape(),
                        w.as_flattened().as_flattened().as_flattened(),
                        ::cnn::__private::batch::packs(dz),
                        ::cnn::__private::batch::packs_mut(dx),
                    );
                }
                return;
            }
            for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
                /// phase (0, 0): taps u = 0 + 1 t, v = 0 + 1 t
                for q in 0..22 {
                    {
                        let c = 0;
                        {
                            let p = 0;
                            let mut z0_0 = s.zero();
                            let mut z0_1 = s.zero();
                            let mut z0_2 = s.zero();
                            let mut z0_3 = s.zero();
                            let mut z0_4 = s.zero();
                            let mut z0_5 = s.zero();
                            let mut z0_6 = s.zero();
                            let mut z0_7 = s.zero();
                            let mut z0_8 = s.zero();
                            let mut z0_9 = s.zero();
                            let mut z0_10 = s.zero();
                            for f in 0..1 {
                                for tu in (q + 1usize).saturating_sub(20)..(q + 1).min(3) {
                                    /// tap (0, 0)
                                    {
                                        let w0 = s.splat(w[f][c][tu][0]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_0 = s.mul_add(w0, x, z0_0);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_1 = s.mul_add(w0, x, z0_1);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 9]);
                                            z0_9 = s.mul_add(w0, x, z0_9);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 10]);
                                            z0_10 = s.mul_add(w0, x, z0_10);
                                        }
                                    }
                                    /// tap (0, 1)
                                    {
                                        let w0 = s.splat(w[f][c][tu][1]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_1 = s.mul_add(w0, x, z0_1);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_9 = s.mul_add(w0, x, z0_9);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 9]);
                                            z0_10 = s.mul_add(w0, x, z0_10);
                                        }
                                    }
                                    /// tap (0, 2)
                                    {
                                        let w0 = s.splat(w[f][c][tu][2]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_9 = s.mul_add(w0, x, z0_9);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_10 = s.mul_add(w0, x, z0_10);
                                        }
                                    }
                                }
                            }
                            s.store(&mut dx[c][q][p], z0_0);
                            s.store(&mut dx[c][q][p + 1], z0_1);
                            s.store(&mut dx[c][q][p + 2], z0_2);
                            s.store(&mut dx[c][q][p + 3], z0_3);
                            s.store(&mut dx[c][q][p + 4], z0_4);
                            s.store(&mut dx[c][q][p + 5], z0_5);
                            s.store(&mut dx[c][q][p + 6], z0_6);
                            s.store(&mut dx[c][q][p + 7], z0_7);
                            s.store(&mut dx[c][q][p + 8], z0_8);
                            s.store(&mut dx[c][q][p + 9], z0_9);
                            s.store(&mut dx[c][q][p + 10], z0_10);
                        }
                        {
                            let p = 11;
                            let mut z0_0 = s.zero();
                            let mut z0_1 = s.zero();
                            let mut z0_2 = s.zero();
                            let mut z0_3 = s.zero();
                            let mut z0_4 = s.zero();
                            let mut z0_5 = s.zero();
                            let mut z0_6 = s.zero();
                            let mut z0_7 = s.zero();
                            let mut z0_8 = s.zero();
                            let mut z0_9 = s.zero();
                            let mut z0_10 = s.zero();
                            for f in 0..1 {
                                for tu in (q + 1usize).saturating_sub(20)..(q + 1).min(3) {
                                    /// tap (0, 0)
                                    {
                                        let w0 = s.splat(w[f][c][tu][0]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_0 = s.mul_add(w0, x, z0_0);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_1 = s.mul_add(w0, x, z0_1);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                    }
                                    /// tap (0, 1)
                                    {
                                        let w0 = s.splat(w[f][c][tu][1]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p - 1]);
                                            z0_0 = s.mul_add(w0, x, z0_0);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_1 = s.mul_add(w0, x, z0_1);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_9 = s.mul_add(w0, x, z0_9);
                                        }
                                    }
                                    /// tap (0, 2)
                                    {
                                        let w0 = s.splat(w[f][c][tu][2]);
                                        {
                                            let x = s.load(&dz[f][q - tu][p - 2]);
                                            z0_0 = s.mul_add(w0, x, z0_0);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p - 1]);
                                            z0_1 = s.mul_add(w0, x, z0_1);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p]);
                                            z0_2 = s.mul_add(w0, x, z0_2);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 1]);
                                            z0_3 = s.mul_add(w0, x, z0_3);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 2]);
                                            z0_4 = s.mul_add(w0, x, z0_4);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 3]);
                                            z0_5 = s.mul_add(w0, x, z0_5);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 4]);
                                            z0_6 = s.mul_add(w0, x, z0_6);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 5]);
                                            z0_7 = s.mul_add(w0, x, z0_7);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 6]);
                                            z0_8 = s.mul_add(w0, x, z0_8);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 7]);
                                            z0_9 = s.mul_add(w0, x, z0_9);
                                        }
                                        {
                                            let x = s.load(&dz[f][q - tu][p + 8]);
                                            z0_10 = s.mul_add(w0, x, z0_10);
                                        }
                                    }
                                }
                            }
                            s.store(&mut dx[c][q][p], z0_0);
                            s.store(&mut dx[c][q][p + 1], z0_1);
                            s.store(&mut dx[c][q][p + 2], z0_2);
                            s.store(&mut dx[c][q][p + 3], z0_3);
                            s.store(&mut dx[c][q][p + 4], z0_4);
                            s.store(&mut dx[c][q][p + 5], z0_5);
                            s.store(&mut dx[c][q][p + 6], z0_6);
                            s.store(&mut dx[c][q][p + 7], z0_7);
                            s.store(&mut dx[c][q][p + 8], z0_8);
                            s.store(&mut dx[c][q][p + 9], z0_9);
                            s.store(&mut dx[c][q][p + 10], z0_10);
                        }
                    }
                }
            }
        }
    }
}
const _: () = {
    ::cnn::__private::with_std! {
        #[doc = r" The buffers of one part of a training batch, kept between steps."]
        #[derive(Default)] pub struct Work < T > { #[doc =
        " A tensor of 1x22x22 values per example."] x : ::cnn::__private::Vec <
        [[[::cnn::__private::Pack < T >; 22]; 22]; 1] >, #[doc = " dL/d`x`."] d_x :
        ::cnn::__private::Vec < [[[::cnn::__private::Pack < T >; 22]; 22]; 1] >, #[doc =
        " A tensor of 1x20x20 values per example."] out_conv1 : ::cnn::__private::Vec <
        [[[::cnn::__private::Pack < T >; 20]; 20]; 1] >, #[doc = " dL/d`out_conv1`."]
        d_out_conv1 : ::cnn::__private::Vec < [[[::cnn::__private::Pack < T >; 20]; 20];
        1] >, #[doc = " A tensor of 1 values per example."] out_dense1 :
        ::cnn::__private::Vec < [::cnn::__private::Pack < T >; 1] >, #[doc =
        " dL/d`out_dense1`."] d_out_dense1 : ::cnn::__private::Vec <
        [::cnn::__private::Pack < T >; 1] >, #[doc =
        " A tensor of 1 values per example."] out_sigmoid2 : ::cnn::__private::Vec <
        [::cnn::__private::Pack < T >; 1] >, #[doc = " dL/d`out_sigmoid2`."]
        d_out_sigmoid2 : ::cnn::__private::Vec < [::cnn::__private::Pack < T >; 1] >,
        #[doc = " dL/dW of `conv1`, one pack per weight, lanes added at the end."]
        dw_conv1 : ::cnn::__private::Vec < [[[[::cnn::__private::Pack < T >; 3]; 3]; 1];
        1] >, #[doc = " dL/db of `conv1`, likewise."] db_conv1 : ::cnn::__private::Vec <
        [::cnn::__private::Pack < T >; 1] >, } impl < T : ::cnn::Float > Work < T > {
        #[doc = r" Room for `blocks` blocks of eight examples."] fn ensure(& mut self,
        blocks : usize) { ::cnn::__private::batch::ensure(& mut self.x, blocks);
        ::cnn::__private::batch::ensure(& mut self.d_x, blocks);
        ::cnn::__private::batch::ensure(& mut self.out_conv1, blocks);
        ::cnn::__private::batch::ensure(& mut self.d_out_conv1, blocks);
        ::cnn::__private::batch::ensure(& mut self.out_dense1, blocks);
        ::cnn::__private::batch::ensure(& mut self.d_out_dense1, blocks);
        ::cnn::__private::batch::ensure(& mut self.out_sigmoid2, blocks);
        ::cnn::__private::batch::ensure(& mut self.d_out_sigmoid2, blocks);
        ::cnn::__private::batch::ensure(& mut self.dw_conv1, 1);
        ::cnn::__private::batch::ensure(& mut self.db_conv1, 1); } }
    }
    impl<T: ::cnn::Float> ::cnn::Network for SeedNet<T> {
        type Scalar = T;
        type Input = [T; 484];
        type Output = [T; 1];
        type Params = [T; 411];
        const INPUT_SHAPE: [usize; 3] = [1, 22, 22];
        const TENSORS: &'static [::cnn::TensorInfo] = &[
            ::cnn::TensorInfo {
                name: "conv1.weight",
                shape: &[1, 1, 3, 3],
                offset: 0,
                len: 9,
                fan_in: 9,
                fan_out: 9,
                init: ::cnn::Init::XavierUniform,
            },
            ::cnn::TensorInfo {
                name: "conv1.bias",
                shape: &[1],
                offset: 9,
                len: 1,
                fan_in: 9,
                fan_out: 9,
                init: ::cnn::Init::Zeros,
            },
            ::cnn::TensorInfo {
                name: "dense1.weight",
                shape: &[1, 400],
                offset: 10,
                len: 400,
                fan_in: 400,
                fan_out: 1,
                init: ::cnn::Init::XavierUniform,
            },
            ::cnn::TensorInfo {
                name: "dense1.bias",
                shape: &[1],
                offset: 410,
                len: 1,
                fan_in: 400,
                fan_out: 1,
                init: ::cnn::Init::Zeros,
            },
        ];
        const BUFFERS: &'static [::cnn::TensorInfo] = &[];
        const COUNTERS: &'static [&'static str] = &[];
        const SUMMARY: &'static str = "SeedNet\nlayer               output   params  FLOPs\n------------------------------------------\ninput               1x22x22       0      0\nconv1 (conv 3x3)    1x20x20      10  7,200\nsigmoid1 (sigmoid)  1x20x20       0      0\ndense1 (dense)      1           401    800\nsigmoid2 (sigmoid)  1             0      0\n------------------------------------------\nparameters: 411\nFLOPs per example: 8,000 forward, 16,800 training step\nmemory in f32: parameters 1,644 bytes, forward 5,192 bytes of layer outputs, training 7,088 bytes per example\nmemory in int8: network 985 bytes, forward 803 bytes of layer outputs\n";
        const FORWARD_MACS: usize = 4000;
        const TRAIN_MACS: usize = 8400;
        const TRAIN_VALUES_PER_EXAMPLE: usize = 1772;
        fn zeroed() -> Self {
            let mut buffers = ::cnn::__private::params_zeroed::<T, 0>();
            ::cnn::__private::init_buffers(
                <Self as ::cnn::Network>::BUFFERS,
                ::cnn::__private::params_of_mut(&mut buffers),
            );
            SeedNet {
                params: ::cnn::__private::params_zeroed::<T, 411>(),
                buffers,
                steps: 0,
            }
        }
        fn buffers(&self) -> &[T] {
            ::cnn::__private::params_of(&self.buffers)
        }
        fn buffers_mut(&mut self) -> &mut [T] {
            ::cnn::__private::params_of_mut(&mut self.buffers)
        }
        fn steps(&self) -> u64 {
            self.steps
        }
        fn set_steps(&mut self, steps: u64) {
            self.steps = steps;
        }
        fn param_tensor(&self) -> &[T; 411] {
            ::cnn::__private::params_of(&self.params)
        }
        fn param_tensor_mut(&mut self) -> &mut [T; 411] {
            ::cnn::__private::params_of_mut(&mut self.params)
        }
        type Acts = [T; 1297];
        const TENSOR_SLOTS: &'static [(usize, usize)] = &[
            (0, 400),
            (400, 400),
            (800, 1),
            (801, 1),
        ];
        #[inline(always)]
        fn forward_into<S: ::cnn::__private::Lanes<T>>(
            &self,
            s: S,
            x: &Self::Input,
            acts: &mut Self::Acts,
        ) {
            let x: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
            {
                let in0 = x;
                let (out, xs): (&mut [[[T; 20]; 20]; 1], &mut [T; 495]) = ::cnn::__private::two_mut::<
                    _,
                    _,
                    _,
                    0,
                    802,
                >(acts);
                Self::conv1_forward(
                    s,
                    self.conv1_weight(),
                    self.conv1_bias(),
                    in0,
                    out,
                    xs,
                );
            }
            {
                let (a, out): (&[[[T; 20]; 20]; 1], &mut [[[T; 20]; 20]; 1]) = ::cnn::__private::split_mut::<
                    _,
                    _,
                    _,
                    0,
                    400,
                >(acts);
                let in0 = a;
                ::cnn::__private::act::apply_rows(
                    s,
                    ::cnn::__private::act::Sigmoid,
                    ::cnn::__private::Tensor::as_flat(in0),
                    ::cnn::__private::Tensor::as_flat_mut(out),
                );
            }
            {
                let (a, out): (&[[[T; 20]; 20]; 1], &mut [T; 1]) = ::cnn::__private::split_mut::<
                    _,
                    _,
                    _,
                    400,
                    800,
                >(acts);
                let in0 = a;
                ::cnn::__private::dense_forward_lanes::<
                    T,
                    S,
                    _,
                    400,
                    1,
                >(
                    s,
                    self.dense1_weight(),
                    self.dense1_bias(),
                    ::cnn::__private::reshape(in0),
                    ::cnn::__private::reshape_mut(out),
                    ::cnn::__private::act::Identity,
                );
            }
            {
                let (a, out): (&[T; 1], &mut [T; 1]) = ::cnn::__private::split_mut::<
                    _,
                    _,
                    _,
                    800,
                    801,
                >(acts);
                let in0 = a;
                ::cnn::__private::act::apply_rows(
                    s,
                    ::cnn::__private::act::Sigmoid,
                    ::cnn::__private::Tensor::as_flat(in0),
                    ::cnn::__private::Tensor::as_flat_mut(out),
                );
            }
        }
        fn output_of(acts: &Self::Acts) -> &[T; 1] {
            ::cnn::__private::part::<_, _, 801>(acts)
        }
        fn logits_of(acts: &Self::Acts) -> &[T; 1] {
            ::cnn::__private::part::<_, _, 801>(acts)
        }
        #[allow(unused_variables, unused_mut)]
        fn backward_from<L: ::cnn::loss::Loss>(
            &self,
            x: &Self::Input,
            acts: &Self::Acts,
            target: &Self::Output,
            loss: &L,
            scale: T,
            mut grad: ::core::option::Option<&mut Self::Params>,
            dx: ::core::option::Option<&mut Self::Input>,
        ) -> T {
            let t0: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
            let t1: &[[[T; 20]; 20]; 1] = ::cnn::__private::part::<_, _, 0>(acts);
            let t2: &[[[T; 20]; 20]; 1] = ::cnn::__private::part::<_, _, 400>(acts);
            let t3: &[T; 1] = ::cnn::__private::part::<_, _, 800>(acts);
            let t4: &[T; 1] = ::cnn::__private::part::<_, _, 801>(acts);
            let mut d_t4: [T; 1] = ::cnn::__private::Tensor::zeroed();
            let l = loss
                .example(
                    ::cnn::__private::Tensor::as_flat(t4),
                    target,
                    scale,
                    ::cnn::__private::Tensor::as_flat_mut(&mut d_t4),
                );
            let mut d_t3: [T; 1] = ::cnn::__private::Tensor::zeroed();
            ::cnn::__private::sigmoid_backward(t4, &d_t4, &mut d_t3);
            let mut d_t2: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
            if let Some(grad) = grad.as_deref_mut() {
                let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, 10>(grad);
                ::cnn::__private::dense_backward::<
                    T,
                    400,
                    1,
                >(::cnn::__private::reshape(t2), &d_t3, dw, db);
            }
            ::cnn::__private::dense_backward_input::<
                T,
                400,
                1,
            >(self.dense1_weight(), &d_t3, ::cnn::__private::reshape_mut(&mut d_t2));
            let mut d_t1: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
            ::cnn::__private::sigmoid_backward(t2, &d_t2, &mut d_t1);
            let mut d_t0: [[[T; 22]; 22]; 1] = ::cnn::__private::Tensor::zeroed();
            if let Some(grad) = grad.as_deref_mut() {
                let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, 0>(grad);
                Self::conv1_backward(t0, &d_t1, dw, db);
            }
            Self::conv1_backward_input(self.conv1_weight(), &d_t1, &mut d_t0);
            if let Some(dx) = dx {
                *dx = *::cnn::__private::reshape(&d_t0);
            }
            l
        }
        type QWeights = [i8; 921];
        type QInts = [i32; 7];
        type QMultipliers = [::cnn::__private::quant::Multiplier; 2];
        type QScales = [f32; 5];
        type QInput = [i8; 484];
        type QOutput = [i8; 1];
        type QActs = [i8; 802];
        const Q_OUTPUT_TENSOR: usize = 4;
        #[allow(unused_variables, clippy::identity_op, clippy::erasing_op)]
        fn forward_int8(
            q: &::cnn::__private::quant::Int8<Self>,
            x: &Self::QInput,
            acts: &mut Self::QActs,
        ) -> Self::QOutput {
            use ::cnn::__private::quant::Ints as _;
            {
                let (input, out): (&[i8], &mut [i8]) = match None {
                    None => (x.as_ref(), &mut acts.as_mut()[0..0 + 400]),
                    Some(at) => ::cnn::__private::quant::io(acts.as_mut(), at, (0, 400)),
                };
                ::cnn::__private::quant::kernels::conv::<
                    1,
                    22,
                    22,
                    1,
                    20,
                    20,
                    3,
                    3,
                    1,
                    0,
                    0,
                    1,
                >(
                    input,
                    q.ints.as_ref()[0],
                    &q.weights.as_ref()[0..0 + 9],
                    &q.ints.as_ref()[5..5 + 1],
                    &q.multipliers.as_ref()[0..0 + 1],
                    q.ints.as_ref()[1],
                    -128,
                    out,
                );
            }
            {
                let (input, out): (&[i8], &mut [i8]) = match Some((0, 400)) {
                    None => (x.as_ref(), &mut acts.as_mut()[400..400 + 400]),
                    Some(at) => {
                        ::cnn::__private::quant::io(acts.as_mut(), at, (400, 400))
                    }
                };
                let table: &[i8; 256] = q
                    .weights
                    .as_ref()[9..9 + 256]
                    .try_into()
                    .expect("a table of 256");
                ::cnn::__private::quant::kernels::table(input, table, out);
            }
            {
                let (input, out): (&[i8], &mut [i8]) = match Some((400, 400)) {
                    None => (x.as_ref(), &mut acts.as_mut()[800..800 + 1]),
                    Some(at) => ::cnn::__private::quant::io(acts.as_mut(), at, (800, 1)),
                };
                ::cnn::__private::quant::kernels::dense::<
                    400,
                    1,
                >(
                    input,
                    &q.weights.as_ref()[265..265 + 400],
                    &q.ints.as_ref()[6..6 + 1],
                    &q.multipliers.as_ref()[1..1 + 1],
                    q.ints.as_ref()[3],
                    -128,
                    out,
                );
            }
            {
                let (input, out): (&[i8], &mut [i8]) = match Some((800, 1)) {
                    None => (x.as_ref(), &mut acts.as_mut()[801..801 + 1]),
                    Some(at) => ::cnn::__private::quant::io(acts.as_mut(), at, (801, 1)),
                };
                let table: &[i8; 256] = q
                    .weights
                    .as_ref()[665..665 + 256]
                    .try_into()
                    .expect("a table of 256");
                ::cnn::__private::quant::kernels::table(input, table, out);
            }
            let mut y = <Self::QOutput as ::cnn::__private::quant::Ints<i8>>::zeroed();
            let out: &[i8] = match Some((801, 1)) {
                None => x.as_ref(),
                Some((at, len)) => &acts.as_ref()[at..at + len],
            };
            y.copy_from_slice(out);
            y
        }
        ::cnn::__private::with_std! {
            #[allow(unused_variables, clippy::identity_op, clippy::erasing_op)] fn
            quantize_with(& self, ranges : & [(f64, f64)], q : & mut
            ::cnn::__private::quant::Int8 < Self >) { let params = < Self as
            ::cnn::Network > ::params(self); let buffers = < Self as ::cnn::Network >
            ::buffers(self); let tensors : [usize; 5] = [0, 1, 2, 3, 4]; let slopes :
            [::core::option::Option < f64 >; 5] = [None, None, None, None, None]; let mut
            scales = [0.0f64; 5]; let mut zps = [0i32; 5]; for (k, & t) in tensors.iter()
            .enumerate() { let (min, max) = match slopes[k] { Some(a) => (ranges[t].0 /
            a, ranges[t].1), None => ranges[t], }; let (s, z) =
            ::cnn::__private::quant::calibrate::tensor_params(min, max); scales[k] = s;
            zps[k] = z; q.scales.as_mut() [k] = s as f32; q.ints.as_mut() [k] = z; }
            ::cnn::__private::quant::calibrate::linear(& params[0..0 + 9], & params[0 + 9
            ..0 + 9 + 1], None, (scales[0], zps[0]), scales[1], & mut q.weights.as_mut()
            [0..0 + 9], & mut q.ints.as_mut() [5..5 + 1], & mut q.multipliers.as_mut() [0
            ..0 + 1],); ::cnn::__private::quant::calibrate::table(| v : f64 | 1.0 / (1.0
            + (- v).exp()), (scales[1], zps[1]), (scales[2], zps[2]), & mut q.weights
            .as_mut() [9..9 + 256],); ::cnn::__private::quant::calibrate::linear(&
            params[10..10 + 400], & params[10 + 400..10 + 400 + 1], None, (scales[2],
            zps[2]), scales[3], & mut q.weights.as_mut() [265..265 + 400], & mut q.ints
            .as_mut() [6..6 + 1], & mut q.multipliers.as_mut() [1..1 + 1],);
            ::cnn::__private::quant::calibrate::table(| v : f64 | 1.0 / (1.0 + (- v)
            .exp()), (scales[3], zps[3]), (scales[4], zps[4]), & mut q.weights.as_mut()
            [665..665 + 256],); }
        }
        ::cnn::__private::with_std! {
            type Work = Work < T >; const STAGES : usize = 1; fn input_packs(work : & mut
            Self::Work, blocks : usize) -> & mut [::cnn::__private::Pack < T >] { work
            .ensure(blocks); ::cnn::__private::batch::flat_mut(& mut work.x[..blocks]) }
            fn input_grad_packs(work : & Self::Work, blocks : usize) -> &
            [::cnn::__private::Pack < T >] { ::cnn::__private::batch::flat(& work
            .d_x[..blocks]) } fn check_train_batch(examples : usize) ->
            ::core::result::Result < (), ::cnn::Error > { let _ = examples;
            ::core::result::Result::Ok(()) } #[inline(always)] #[allow(unused_variables,
            unused_assignments, unused_mut, clippy::needless_range_loop)] fn train_stage
            < L : ::cnn::loss::Loss, S : ::cnn::__private::Lanes < T >> (& self, s : S,
            stage : usize, part : ::cnn::__private::batch::PartInfo, work : & mut
            Self::Work, targets : ::cnn::ndarray::ArrayView2 < '_, T >, loss : & L, scale
            : T, grad : & mut Self::Params,) -> T { let ::cnn::__private::batch::PartInfo
            { blocks : n, examples, first, total, input_grad, loss_only } = part; let w =
            work; let mut loss_sum = T::ZERO; match stage { 0 => {
            Self::conv1_forward_batch(s, self.conv1_weight(), self.conv1_bias(),
            ::cnn::__private::batch::reshape(& w.x[..n]), & mut w.out_conv1[..n],);
            ::cnn::__private::batch::dense::forward:: < T, S, _, 400, 1 > (s, self
            .dense1_weight(), self.dense1_bias(), ::cnn::__private::batch::reshape(& w
            .out_conv1[..n]), & mut w.out_dense1[..n], ::cnn::__private::act::Identity,);
            ::cnn::__private::act::apply(s, ::cnn::__private::act::Sigmoid,
            ::cnn::__private::batch::flat(& w.out_dense1[..n]),
            ::cnn::__private::batch::flat_mut(& mut w.out_sigmoid2[..n]),); loss_sum =
            ::cnn::__private::batch::loss:: < T, S, L, 1 > (s,
            ::cnn::__private::batch::reshape(& w.out_sigmoid2[..n]), targets, loss,
            scale, ::cnn::__private::batch::reshape_mut(& mut w.d_out_sigmoid2[..n]),);
            if loss_only { return loss_sum; } if true {
            ::cnn::__private::act::backward(s, ::cnn::__private::act::Sigmoid,
            ::cnn::__private::batch::flat(& w.out_sigmoid2[..n]),
            ::cnn::__private::batch::flat(& w.d_out_sigmoid2[..n]),
            ::cnn::__private::batch::flat_mut(& mut w.d_out_dense1[..n]),); } let (gw,
            gb) = ::cnn::__private::parts_mut:: < _, _, _, 10 > (grad);
            ::cnn::__private::batch::dense::backward_and_input:: < T, S, _, 400, 1 > (s,
            self.dense1_weight(), ::cnn::__private::batch::reshape(& w.out_conv1[..n]), &
            w.d_out_dense1[..n], gw, gb, ::cnn::__private::act::Sigmoid,
            ::cnn::__private::batch::reshape_mut(& mut w.d_out_conv1[..n]),);
            ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(& mut w
            .dw_conv1[..1]));
            ::cnn::__private::batch::clear(::cnn::__private::batch::flat_mut(& mut w
            .db_conv1[..1])); Self::conv1_backward_batch(s,
            ::cnn::__private::batch::reshape(& w.x[..n]), & w.d_out_conv1[..n], & mut w
            .dw_conv1[0], & mut w.db_conv1[0],); let (gw, gb) =
            ::cnn::__private::parts_mut:: < _, [T; 9], [T; 1], 0 > (grad);
            ::cnn::__private::batch::add_lane_sums(s, ::cnn::__private::batch::flat(& w
            .dw_conv1[..1]), gw); ::cnn::__private::batch::add_lane_sums(s,
            ::cnn::__private::batch::flat(& w.db_conv1[..1]), gb); if input_grad {
            Self::conv1_backward_input_batch(s, self.conv1_weight(), & w
            .d_out_conv1[..n], ::cnn::__private::batch::reshape_mut(& mut w.d_x[..n]),);
            } } _ => {} } loss_sum } #[allow(unused_variables,
            clippy::needless_range_loop)] fn combine_stage(stage : usize, works : & mut
            [& mut Self::Work], counts : & [usize]) { match stage { _ => {} } }
            #[allow(unused_variables, clippy::needless_range_loop)] fn update_buffers(&
            mut self, work : & Self::Work) { self.steps += 1; }
        }
    }
};
