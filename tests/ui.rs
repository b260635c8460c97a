//! Compile-fail cases of the `network!` DSL: one intended error per file in `tests/ui/`, with the
//! expected compiler output next to it. Regenerate with `TRYBUILD=overwrite` and read the diff.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
