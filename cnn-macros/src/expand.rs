//! The whole pipeline on one screen: parse -> check (lower to the IR) -> generate. Errors of a
//! phase are collected; the next phase runs only on what passed. Networks whose definition has
//! errors get a stub instead, so the user's later uses of them add no second wall of errors.

use proc_macro2::TokenStream;

use crate::{ast, check, codegen, fallback};

pub fn network(tokens: TokenStream) -> TokenStream {
    let input: ast::Input = match syn::parse2(tokens.clone()) {
        Ok(input) => input,
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(fallback::stubs(tokens, &[]));
            return out;
        }
    };
    let (networks, errors) = check::check(&input);
    let mut out = TokenStream::new();
    for net in &networks {
        out.extend(codegen::network(net));
    }
    if let Err(e) = errors.finish() {
        out.extend(e.to_compile_error());
        let good: Vec<String> = networks.iter().map(|n| n.name.to_string()).collect();
        out.extend(fallback::stubs(tokens, &good));
    }
    out
}
