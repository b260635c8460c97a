//! The derivation the generated code follows (`cnn::doc::derivation`, in
//! `src/doc/derivation.md`), as tests: every formula of the 3x3-input, 2x2-filter example (the
//! forward correlation, dE/dF as the correlation of X with dE/dO, dE/dX as the full convolution
//! of dE/dO with the rotated filter), and the matrix form of the seed network.

mod common;

use approx::assert_relative_eq;
use cnn::ndarray::{Array1, Array2, Array4, Axis, s};
use cnn::prelude::*;
use common::nets::SeedNet;

network! {
    /// The worked example: a 3x3 input X and one 2x2 filter F, O = correlation(X, F).
    struct Worked { input(3x3) -> conv(2x2) }
}

/// X, F, and dE/dO chosen with distinct values, so a swapped index shows.
const X: [[f64; 3]; 3] = [[1.0, -2.0, 3.0], [0.5, 4.0, -1.5], [2.5, -3.0, 0.25]];
const F: [[f64; 2]; 2] = [[0.5, -1.0], [2.0, 0.75]];
const D_O: [[f64; 2]; 2] = [[1.0, -0.5], [0.25, 2.0]];

fn worked_net() -> Worked<f64> {
    let mut net = Worked::<f64>::zeroed();
    // params: conv1.weight [1, 1, 2, 2] then conv1.bias [1] (zero, as the derivation has none)
    net.params_mut()[..4].copy_from_slice(&[F[0][0], F[0][1], F[1][0], F[1][1]]);
    net
}

/// O_ij as the derivation writes them out, 1-based as there.
fn seed_output() -> [[f64; 2]; 2] {
    let x = |i: usize, j: usize| X[i - 1][j - 1];
    let f = |i: usize, j: usize| F[i - 1][j - 1];
    [
        [
            f(1, 1) * x(1, 1) + f(1, 2) * x(1, 2) + f(2, 1) * x(2, 1) + f(2, 2) * x(2, 2),
            f(1, 1) * x(1, 2) + f(1, 2) * x(1, 3) + f(2, 1) * x(2, 2) + f(2, 2) * x(2, 3),
        ],
        [
            f(1, 1) * x(2, 1) + f(1, 2) * x(2, 2) + f(2, 1) * x(3, 1) + f(2, 2) * x(3, 2),
            f(1, 1) * x(2, 2) + f(1, 2) * x(2, 3) + f(2, 1) * x(3, 2) + f(2, 2) * x(3, 3),
        ],
    ]
}

/// Targets that make dE/dO = O - Y equal D_O under HalfSquaredError with one example.
fn targets() -> Array2<f64> {
    let o = seed_output();
    Array2::from_shape_fn((1, 4), |(_, k)| o[k / 2][k % 2] - D_O[k / 2][k % 2])
}

fn input() -> Array4<f64> {
    Array4::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| X[i][j])
}

#[test]
fn forward_is_the_correlation_written_out() {
    let net = worked_net();
    let o = net.forward(&[
        X[0][0], X[0][1], X[0][2], X[1][0], X[1][1], X[1][2], X[2][0], X[2][1], X[2][2],
    ]);
    let expected = seed_output();
    assert_eq!(
        o,
        [
            expected[0][0],
            expected[0][1],
            expected[1][0],
            expected[1][1]
        ]
    );
}

#[test]
fn filter_gradient_is_the_correlation_of_x_with_do() {
    let x = |i: usize, j: usize| X[i - 1][j - 1];
    let d = |i: usize, j: usize| D_O[i - 1][j - 1];
    // dE/dF_ij exactly as the derivation lists them.
    let expected = [
        d(1, 1) * x(1, 1) + d(1, 2) * x(1, 2) + d(2, 1) * x(2, 1) + d(2, 2) * x(2, 2),
        d(1, 1) * x(1, 2) + d(1, 2) * x(1, 3) + d(2, 1) * x(2, 2) + d(2, 2) * x(2, 3),
        d(1, 1) * x(2, 1) + d(1, 2) * x(2, 2) + d(2, 1) * x(3, 1) + d(2, 2) * x(3, 2),
        d(1, 1) * x(2, 2) + d(1, 2) * x(2, 3) + d(2, 1) * x(3, 2) + d(2, 2) * x(3, 3),
    ];
    let (_, grad) = worked_net()
        .loss_and_grad(input().view(), targets().view(), &HalfSquaredError)
        .unwrap();
    for k in 0..4 {
        assert_relative_eq!(grad[k], expected[k], max_relative = 1e-14);
    }
    // The bias gradient is the sum of dE/dO.
    assert_relative_eq!(
        grad[4],
        D_O.iter().flatten().sum::<f64>(),
        max_relative = 1e-14
    );
}

#[test]
fn input_gradient_is_the_full_convolution_with_the_rotated_filter() {
    let f = |i: usize, j: usize| F[i - 1][j - 1];
    let d = |i: usize, j: usize| D_O[i - 1][j - 1];
    // dE/dX_ij exactly as the derivation lists them.
    let expected = [
        f(1, 1) * d(1, 1),
        f(1, 2) * d(1, 1) + f(1, 1) * d(1, 2),
        f(1, 2) * d(1, 2),
        f(2, 1) * d(1, 1) + f(1, 1) * d(2, 1),
        f(2, 2) * d(1, 1) + f(2, 1) * d(1, 2) + f(1, 2) * d(2, 1) + f(1, 1) * d(2, 2),
        f(2, 2) * d(1, 2) + f(1, 2) * d(2, 2),
        f(2, 1) * d(2, 1),
        f(2, 2) * d(2, 1) + f(2, 1) * d(2, 2),
        f(2, 2) * d(2, 2),
    ];
    let y = targets();
    let x = input();
    let (dx, _) = worked_net().input_gradient(
        x.as_slice().unwrap().try_into().unwrap(),
        y.as_slice().unwrap().try_into().unwrap(),
        &HalfSquaredError,
    );
    for k in 0..9 {
        assert_relative_eq!(dx[k], expected[k], max_relative = 1e-14);
    }
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// The matrix form, for a batch: Z1 = conv(X, f) + c, H1 = sigmoid(Z1) (400 x N),
/// Z2 = W^T H1 + b, O = sigmoid(Z2), E = mean (y - O)^2 / 2, and
/// dE/dW = H1 [(O - Y) * O(1 - O)]^T, dE/db = sum (O - Y) * O(1 - O),
/// dE/df = conv(X, (O - Y) * O(1 - O) * W^T * H1(1 - H1)), each divided by N for the mean.
#[test]
fn seed_network_gradients_follow_the_matrix_form() {
    let n = 5;
    let net = SeedNet::<f64>::new(11);
    let p = net.params();
    let (f, c, w, b) = (&p[0..9], p[9], &p[10..410], p[410]);
    let x = Array4::from_shape_fn((n, 1, 22, 22), |(e, _, i, j)| {
        ((e * 31 + i * 7 + j * 3) % 17) as f64 / 17.0 - 0.4
    });
    let y = Array2::from_shape_fn((n, 1), |(e, _)| (e % 2) as f64);

    // Forward, one column of H1 per example.
    let mut h1 = Array2::<f64>::zeros((400, n));
    for e in 0..n {
        for i in 0..20 {
            for j in 0..20 {
                let mut z = c;
                for u in 0..3 {
                    for v in 0..3 {
                        z += f[u * 3 + v] * x[[e, 0, i + u, j + v]];
                    }
                }
                h1[[i * 20 + j, e]] = sigmoid(z);
            }
        }
    }
    let w_t = Array2::from_shape_vec((1, 400), w.to_vec()).unwrap();
    let o = (w_t.dot(&h1) + b).mapv(sigmoid); // 1 x N
    let delta = (&o - &y.t()) * o.mapv(|o| o * (1.0 - o)); // (O - Y) * O(1 - O), 1 x N

    let d_w = h1.dot(&delta.t()) / n as f64; // 400 x 1
    let d_b = delta.sum() / n as f64;
    let back = w_t.t().dot(&delta) * h1.mapv(|h| h * (1.0 - h)); // 400 x N
    let mut d_f = Array1::<f64>::zeros(9);
    for e in 0..n {
        let g = back
            .index_axis(Axis(1), e)
            .to_owned()
            .into_shape_with_order((20, 20))
            .unwrap();
        for u in 0..3 {
            for v in 0..3 {
                let window = x.slice(s![e, 0, u..u + 20, v..v + 20]);
                d_f[u * 3 + v] += (&window * &g).sum() / n as f64;
            }
        }
    }
    let d_c = back.sum() / n as f64;
    let loss = (&y.t() - &o).mapv(|d| d * d / 2.0).sum() / n as f64;

    let (l, grad) = net
        .loss_and_grad(x.view(), y.view(), &HalfSquaredError)
        .unwrap();
    assert_relative_eq!(l, loss, max_relative = 1e-12);
    for k in 0..9 {
        assert_relative_eq!(grad[k], d_f[k], max_relative = 1e-10);
    }
    assert_relative_eq!(grad[9], d_c, max_relative = 1e-10);
    for k in 0..400 {
        assert_relative_eq!(grad[10 + k], d_w[[k, 0]], max_relative = 1e-10);
    }
    assert_relative_eq!(grad[410], d_b, max_relative = 1e-10);
}
