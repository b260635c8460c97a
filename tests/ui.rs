//! Compile-fail cases of the `network!` DSL, one intended error per file, with the expected
//! compiler output next to it, in folders by topic: `syntax/` (what does not parse), `layers/`
//! (names, arguments and options of layers and networks), `numbers/` (zero, negative or
//! fractional counts), `shapes/` (layers that do not fit their input), `budgets/` (networks over
//! a size budget), `blocks/` (residual blocks) and `recovery/` (one error and no more: uses after
//! an error, several networks).
//! Regenerate with `TRYBUILD=overwrite cargo test --test ui` and read the diff.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*/*.rs");
}
