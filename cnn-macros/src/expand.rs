//! The whole pipeline on one screen: parse -> check (lower to the IR) -> generate. Errors of a
//! phase are collected; the next phase runs only on what passed.
//!
//! A network whose definition has errors is not emitted at all, not even as a stub. Measured
//! on rustc 1.95 (the `uses_after_error` ui cases): after a macro's `compile_error!`, uses of a
//! name the macro did not define are not reported, and everything typed through them is
//! error-typed and silent, so the user sees the one message about the definition. A stub
//! (thiserror's `fallback.rs` approach) did worse: any stub signature disagrees with some use
//! (`let y: [f32; 10] = net.forward(..)`, `{:?}`, `save`), and each disagreement is a second
//! error.

use proc_macro2::TokenStream;

use crate::{ast, check, codegen};

pub fn network(tokens: TokenStream) -> TokenStream {
    let input: ast::Input = match syn::parse2(tokens) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let (networks, errors) = check::check(&input);
    let mut out = TokenStream::new();
    for net in &networks {
        out.extend(codegen::network(net));
    }
    if let Err(e) = errors.finish() {
        out.extend(e.to_compile_error());
    }
    out
}
