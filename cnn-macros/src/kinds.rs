//! The layer kinds of the DSL, in one table: parsing classifies a layer by it, checking
//! dispatches on it, and the message for an unknown layer lists it and suggests from it.

/// What a layer is, by the name it is written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Input,
    Conv,
    Dense,
    MaxPool,
    AvgPool,
    Sigmoid,
    Relu,
    Tanh,
    LeakyRelu,
    Softmax,
    BatchNorm,
    Dropout,
    GlobalAvgPool,
    Flatten,
    Residual,
}

/// Every layer kind with its name, in the order the unknown-layer message lists them.
pub const LAYER_KINDS: &[(&str, LayerKind)] = &[
    ("input", LayerKind::Input),
    ("conv", LayerKind::Conv),
    ("dense", LayerKind::Dense),
    ("maxpool", LayerKind::MaxPool),
    ("avgpool", LayerKind::AvgPool),
    ("sigmoid", LayerKind::Sigmoid),
    ("relu", LayerKind::Relu),
    ("tanh", LayerKind::Tanh),
    ("leaky_relu", LayerKind::LeakyRelu),
    ("softmax", LayerKind::Softmax),
    ("batchnorm", LayerKind::BatchNorm),
    ("dropout", LayerKind::Dropout),
    ("global_avgpool", LayerKind::GlobalAvgPool),
    ("flatten", LayerKind::Flatten),
    ("residual", LayerKind::Residual),
];

impl LayerKind {
    /// The kind written as `name` (unraw), if the DSL has one.
    pub fn from_name(name: &str) -> Option<LayerKind> {
        LAYER_KINDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, kind)| kind)
    }

    /// The name the DSL writes it with.
    pub fn name(self) -> &'static str {
        LAYER_KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }
}

/// The names a layer after the input may have, for the unknown-layer message:
/// `conv, dense, ..., softmax`.
pub fn known_after_input() -> String {
    LAYER_KINDS
        .iter()
        .filter(|(_, kind)| *kind != LayerKind::Input)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known layer kind closest to a misspelt one, if any is close.
pub fn nearest(kind: &str) -> Option<&'static str> {
    LAYER_KINDS
        .iter()
        .map(|(k, _)| (levenshtein(kind, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(nearest("cnov"), Some("conv"));
        assert_eq!(nearest("sigmod"), Some("sigmoid"));
        assert_eq!(nearest("Dense"), Some("dense"));
        assert_eq!(nearest("leakyrelu"), Some("leaky_relu"));
        assert_eq!(nearest("lstm"), None);
    }

    #[test]
    fn names_round_trip() {
        for &(name, kind) in LAYER_KINDS {
            assert_eq!(LayerKind::from_name(name), Some(kind));
            assert_eq!(kind.name(), name);
        }
        assert_eq!(LayerKind::from_name("lstm"), None);
        assert_eq!(
            known_after_input(),
            "conv, dense, maxpool, avgpool, sigmoid, relu, tanh, leaky_relu, softmax, batchnorm, dropout, global_avgpool, flatten, residual"
        );
    }
}
