//! Pure shape arithmetic: no syn types, so it is unit-tested on its own. Every function returns
//! an error message instead of overflowing or dividing by zero.

use std::fmt;

/// The shape of one example's tensor between two layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Channels, height, width.
    Image { c: u64, h: u64, w: u64 },
    /// A flat vector, after a dense layer.
    Flat(u64),
}

impl Shape {
    /// The number of scalars, or `None` past `u64`.
    pub fn len(self) -> Option<u64> {
        match self {
            Shape::Image { c, h, w } => c.checked_mul(h)?.checked_mul(w),
            Shape::Flat(n) => Some(n),
        }
    }
}

impl fmt::Display for Shape {
    /// `3x20x20`, or `400`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Shape::Image { c, h, w } => write!(f, "{c}x{h}x{w}"),
            Shape::Flat(n) => write!(f, "{n}"),
        }
    }
}

/// Padding of a convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pad {
    /// The same zeros on each side: `pad = P`.
    Fixed(u64),
    /// `pad = same`: output size `ceil(input / stride)`, odd kernels only.
    Same,
}

/// The output length of a correlation along one axis, PyTorch's `(n + 2p - k) / s + 1`.
///
/// Errors say why there is no output.
pub fn conv_out(n: u64, k: u64, stride: u64, pad: u64) -> Result<u64, String> {
    let padded = n
        .checked_add(pad.checked_mul(2).ok_or("padding too large")?)
        .ok_or("padding too large")?;
    if k > padded {
        return Err(if pad == 0 {
            format!("{k} is larger than the input's {n}")
        } else {
            format!("{k} is larger than the padded input's {n} + 2x{pad} = {padded}")
        });
    }
    if stride == 0 {
        return Err("stride 0".into());
    }
    Ok((padded - k) / stride + 1)
}

/// The padding `pad = same` gives a kernel of size `k`: `(k - 1) / 2` on each side; even
/// kernels would need uneven padding, which this project does not do (an error in `check`).
pub fn same_pad(k: u64) -> u64 {
    (k - 1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_out_is_pytorchs_formula() {
        assert_eq!(conv_out(22, 3, 1, 0), Ok(20));
        assert_eq!(conv_out(28, 5, 1, 0), Ok(24));
        assert_eq!(conv_out(28, 5, 1, 2), Ok(28));
        assert_eq!(conv_out(7, 3, 2, 0), Ok(3));
        assert_eq!(conv_out(8, 3, 2, 1), Ok(4));
        assert_eq!(conv_out(5, 5, 3, 0), Ok(1));
    }

    #[test]
    fn conv_out_errors() {
        assert!(
            conv_out(2, 3, 1, 0)
                .unwrap_err()
                .contains("larger than the input")
        );
        assert!(conv_out(1, 4, 1, 1).unwrap_err().contains("padded input"));
        assert!(conv_out(5, 3, 0, 0).is_err());
        assert!(conv_out(u64::MAX, 3, 1, u64::MAX).is_err());
    }

    #[test]
    fn lengths_and_display() {
        let s = Shape::Image { c: 3, h: 20, w: 20 };
        assert_eq!(s.len(), Some(1200));
        assert_eq!(s.to_string(), "3x20x20");
        assert_eq!(Shape::Flat(7).to_string(), "7");
        assert_eq!(
            Shape::Image {
                c: u64::MAX,
                h: 2,
                w: 1
            }
            .len(),
            None
        );
        assert_eq!(same_pad(5), 2);
    }
}
