// The expansion of `network! { pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid } }`,
// formatted by prettyplease. Regenerate with `UPDATE_EXPAND=1 cargo test -p cnn-macros`.

/// The network of the derivation: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
pub struct SeedNet<T = f32> {
    params: [T; 411],
}
impl<T: ::cnn::Float> ::core::clone::Clone for SeedNet<T> {
    fn clone(&self) -> Self {
        SeedNet { params: self.params }
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
/// Sizes and constructors of the `f32` network; `SeedNet::<f64>` has the same through
/// the `cnn::Network` trait.
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
    pub const SUMMARY: &'static str = "SeedNet\nlayer               output   params  FLOPs\n------------------------------------------\ninput               1x22x22       0      0\nconv1 (conv 3x3)    1x20x20      10  7,200\nsigmoid1 (sigmoid)  1x20x20       0      0\ndense1 (dense)      1           401    800\nsigmoid2 (sigmoid)  1             0      0\n------------------------------------------\nparameters: 411\nFLOPs per example: 8,000 forward, 16,800 training step\n";
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
    /// The output for one example. Allocates nothing and needs no `std`.
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
        &self.params
    }
    /// All parameters, flat and mutable.
    pub fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }
    ::cnn::__private::with_std! {
        /// The outputs for a batch `[N, C, H, W]` (any strides), as `[N, OUTPUT_LEN]`.
        ///
        /// # Errors
        /// `cnn::Error::Shape` when `x` is not `[N, C, H, W]` with this network's `C, H, W`.
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
        ::cnn::__private::part::<_, _, 0>(&self.params)
    }
    /// `conv1.bias`, within `params()`.
    #[inline(always)]
    fn conv1_bias(&self) -> &[T; 1] {
        ::cnn::__private::part::<_, _, 9>(&self.params)
    }
    /// `dense1.weight`, within `params()`.
    #[inline(always)]
    fn dense1_weight(&self) -> &[[T; 400]; 1] {
        ::cnn::__private::part::<_, _, 10>(&self.params)
    }
    /// `dense1.bias`, within `params()`.
    #[inline(always)]
    fn dense1_bias(&self) -> &[T; 1] {
        ::cnn::__private::part::<_, _, 410>(&self.params)
    }
    /// `conv1`: 1x22x22 -> 1x20x20, 1 filter of 1x3x3, stride 1.
    ///
    /// `Z[f][i][j] = b[f] + sum_c sum_(u<3,v<3) W[f][c][u][v] X[c][i + u][j + v]`: a correlation.
    #[inline]
    fn conv1_forward(
        w: &[[[[T; 3]; 3]; 1]; 1],
        b: &[T; 1],
        x: &[[[T; 22]; 22]; 1],
        z: &mut [[[T; 20]; 20]; 1],
    ) {
        use ::cnn::__private::{add_lanes, add_scaled, lanes};
        for f in 0..1 {
            for i in 0..20 {
                for k in 0..2 {
                    let j = k * 8;
                    let mut acc = [b[f]; 8];
                    for c in 0..1 {
                        let [[w00, w01, w02], [w10, w11, w12], [w20, w21, w22]] = w[f][c];
                        let x0 = &x[c][i];
                        let x1 = &x[c][i + 1];
                        let x2 = &x[c][i + 2];
                        {
                            let mut r0 = [T::ZERO; 8];
                            add_scaled(&mut r0, w00, lanes::<_, 8, 1>(x0, j));
                            add_scaled(&mut r0, w01, lanes::<_, 8, 1>(x0, j + 1));
                            add_scaled(&mut r0, w02, lanes::<_, 8, 1>(x0, j + 2));
                            add_lanes(&mut acc, r0);
                        }
                        {
                            let mut r1 = [T::ZERO; 8];
                            add_scaled(&mut r1, w10, lanes::<_, 8, 1>(x1, j));
                            add_scaled(&mut r1, w11, lanes::<_, 8, 1>(x1, j + 1));
                            add_scaled(&mut r1, w12, lanes::<_, 8, 1>(x1, j + 2));
                            add_lanes(&mut acc, r1);
                        }
                        {
                            let mut r2 = [T::ZERO; 8];
                            add_scaled(&mut r2, w20, lanes::<_, 8, 1>(x2, j));
                            add_scaled(&mut r2, w21, lanes::<_, 8, 1>(x2, j + 1));
                            add_scaled(&mut r2, w22, lanes::<_, 8, 1>(x2, j + 2));
                            add_lanes(&mut acc, r2);
                        }
                    }
                    z[f][i][j..j + 8].copy_from_slice(&acc);
                }
                {
                    let j = 16;
                    let mut acc = [b[f]; 4];
                    for c in 0..1 {
                        let [[w00, w01, w02], [w10, w11, w12], [w20, w21, w22]] = w[f][c];
                        let x0 = &x[c][i];
                        let x1 = &x[c][i + 1];
                        let x2 = &x[c][i + 2];
                        {
                            let mut r0 = [T::ZERO; 4];
                            add_scaled(&mut r0, w00, lanes::<_, 4, 1>(x0, j));
                            add_scaled(&mut r0, w01, lanes::<_, 4, 1>(x0, j + 1));
                            add_scaled(&mut r0, w02, lanes::<_, 4, 1>(x0, j + 2));
                            add_lanes(&mut acc, r0);
                        }
                        {
                            let mut r1 = [T::ZERO; 4];
                            add_scaled(&mut r1, w10, lanes::<_, 4, 1>(x1, j));
                            add_scaled(&mut r1, w11, lanes::<_, 4, 1>(x1, j + 1));
                            add_scaled(&mut r1, w12, lanes::<_, 4, 1>(x1, j + 2));
                            add_lanes(&mut acc, r1);
                        }
                        {
                            let mut r2 = [T::ZERO; 4];
                            add_scaled(&mut r2, w20, lanes::<_, 4, 1>(x2, j));
                            add_scaled(&mut r2, w21, lanes::<_, 4, 1>(x2, j + 1));
                            add_scaled(&mut r2, w22, lanes::<_, 4, 1>(x2, j + 2));
                            add_lanes(&mut acc, r2);
                        }
                    }
                    z[f][i][j..j + 4].copy_from_slice(&acc);
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
    const SUMMARY: &'static str = "SeedNet\nlayer               output   params  FLOPs\n------------------------------------------\ninput               1x22x22       0      0\nconv1 (conv 3x3)    1x20x20      10  7,200\nsigmoid1 (sigmoid)  1x20x20       0      0\ndense1 (dense)      1           401    800\nsigmoid2 (sigmoid)  1             0      0\n------------------------------------------\nparameters: 411\nFLOPs per example: 8,000 forward, 16,800 training step\n";
    const FORWARD_MACS: usize = 4000;
    const TRAIN_MACS: usize = 8400;
    fn zeroed() -> Self {
        SeedNet { params: [T::ZERO; 411] }
    }
    fn param_tensor(&self) -> &[T; 411] {
        &self.params
    }
    fn param_tensor_mut(&mut self) -> &mut [T; 411] {
        &mut self.params
    }
    fn forward(&self, x: &Self::Input) -> Self::Output {
        let x: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
        let mut conv1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        Self::conv1_forward(self.conv1_weight(), self.conv1_bias(), x, &mut conv1_out);
        let mut sigmoid1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&conv1_out, &mut sigmoid1_out);
        let mut dense1_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_forward::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            self.dense1_bias(),
            ::cnn::__private::reshape(&sigmoid1_out),
            &mut dense1_out,
        );
        let mut sigmoid2_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&dense1_out, &mut sigmoid2_out);
        *::cnn::__private::reshape(&sigmoid2_out)
    }
    fn evaluate<L: ::cnn::loss::Loss>(
        &self,
        x: &Self::Input,
        target: &Self::Output,
        loss: &L,
    ) -> (T, Self::Output) {
        let x: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
        let mut conv1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        Self::conv1_forward(self.conv1_weight(), self.conv1_bias(), x, &mut conv1_out);
        let mut sigmoid1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&conv1_out, &mut sigmoid1_out);
        let mut dense1_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_forward::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            self.dense1_bias(),
            ::cnn::__private::reshape(&sigmoid1_out),
            &mut dense1_out,
        );
        let mut sigmoid2_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&dense1_out, &mut sigmoid2_out);
        let mut scratch: [T; 1] = ::cnn::__private::Tensor::zeroed();
        let l = loss
            .example(
                ::cnn::__private::Tensor::as_flat(&sigmoid2_out),
                target,
                T::ONE,
                &mut scratch,
            );
        (l, *::cnn::__private::reshape(&sigmoid2_out))
    }
    fn backprop<L: ::cnn::loss::Loss>(
        &self,
        x: &Self::Input,
        target: &Self::Output,
        loss: &L,
        scale: T,
        grad: &mut Self::Params,
    ) -> T {
        let x: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
        let mut conv1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        Self::conv1_forward(self.conv1_weight(), self.conv1_bias(), x, &mut conv1_out);
        let mut sigmoid1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&conv1_out, &mut sigmoid1_out);
        let mut dense1_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_forward::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            self.dense1_bias(),
            ::cnn::__private::reshape(&sigmoid1_out),
            &mut dense1_out,
        );
        let mut sigmoid2_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&dense1_out, &mut sigmoid2_out);
        let mut sigmoid2_grad: [T; 1] = ::cnn::__private::Tensor::zeroed();
        let l = loss
            .example(
                ::cnn::__private::Tensor::as_flat(&sigmoid2_out),
                target,
                scale,
                ::cnn::__private::Tensor::as_flat_mut(&mut sigmoid2_grad),
            );
        let sigmoid2_grad = ::cnn::__private::reshape(&sigmoid2_grad);
        let mut dense1_grad: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid_backward(
            &sigmoid2_out,
            sigmoid2_grad,
            &mut dense1_grad,
        );
        let dense1_grad = &dense1_grad;
        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, 10>(grad);
        ::cnn::__private::dense_backward::<
            T,
            400,
            1,
        >(::cnn::__private::reshape(&sigmoid1_out), dense1_grad, dw, db);
        let mut sigmoid1_grad: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_backward_input::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            dense1_grad,
            ::cnn::__private::reshape_mut(&mut sigmoid1_grad),
        );
        let sigmoid1_grad = &sigmoid1_grad;
        let mut conv1_grad: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid_backward(
            &sigmoid1_out,
            sigmoid1_grad,
            &mut conv1_grad,
        );
        let conv1_grad = &conv1_grad;
        let (dw, db) = ::cnn::__private::parts_mut::<_, _, _, 0>(grad);
        Self::conv1_backward(x, conv1_grad, dw, db);
        l
    }
    fn input_gradient<L: ::cnn::loss::Loss>(
        &self,
        x: &Self::Input,
        target: &Self::Output,
        loss: &L,
        dx: &mut Self::Input,
    ) -> T {
        let scale = T::ONE;
        let x: &[[[T; 22]; 22]; 1] = ::cnn::__private::reshape(x);
        let mut conv1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        Self::conv1_forward(self.conv1_weight(), self.conv1_bias(), x, &mut conv1_out);
        let mut sigmoid1_out: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&conv1_out, &mut sigmoid1_out);
        let mut dense1_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_forward::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            self.dense1_bias(),
            ::cnn::__private::reshape(&sigmoid1_out),
            &mut dense1_out,
        );
        let mut sigmoid2_out: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid(&dense1_out, &mut sigmoid2_out);
        let mut sigmoid2_grad: [T; 1] = ::cnn::__private::Tensor::zeroed();
        let l = loss
            .example(
                ::cnn::__private::Tensor::as_flat(&sigmoid2_out),
                target,
                scale,
                ::cnn::__private::Tensor::as_flat_mut(&mut sigmoid2_grad),
            );
        let sigmoid2_grad = ::cnn::__private::reshape(&sigmoid2_grad);
        let mut dense1_grad: [T; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid_backward(
            &sigmoid2_out,
            sigmoid2_grad,
            &mut dense1_grad,
        );
        let dense1_grad = &dense1_grad;
        let mut sigmoid1_grad: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::dense_backward_input::<
            T,
            400,
            1,
        >(
            self.dense1_weight(),
            dense1_grad,
            ::cnn::__private::reshape_mut(&mut sigmoid1_grad),
        );
        let sigmoid1_grad = &sigmoid1_grad;
        let mut conv1_grad: [[[T; 20]; 20]; 1] = ::cnn::__private::Tensor::zeroed();
        ::cnn::__private::sigmoid_backward(
            &sigmoid1_out,
            sigmoid1_grad,
            &mut conv1_grad,
        );
        let conv1_grad = &conv1_grad;
        Self::conv1_backward_input(
            self.conv1_weight(),
            conv1_grad,
            ::cnn::__private::reshape_mut(dx),
        );
        l
    }
}
