//! Unit tests of the whole pipeline on `proc_macro2` token streams.

use quote::{format_ident, quote};

use crate::expand;

/// The expansion of `input`, formatted as a reviewer reads it.
fn pretty(input: proc_macro2::TokenStream) -> String {
    let mut file: syn::File =
        syn::parse2(expand::network(input)).expect("the expansion parses as a file");
    // prettyplease prints a macro's body as a flow of tokens. The bodies of `with_std! { ... }`
    // are methods, so they are set aside here, formatted as methods and put back.
    let mut bodies = Vec::new();
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for item in &mut block.items {
            if let syn::ImplItem::Macro(m) = item
                && m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "with_std")
            {
                let placeholder = format_ident!("__with_std_body_{}", bodies.len());
                bodies.push(std::mem::replace(&mut m.mac.tokens, quote!(#placeholder)));
            }
        }
    }
    let mut out = prettyplease::unparse(&file);
    for (i, body) in bodies.into_iter().enumerate() {
        let methods = prettyplease::unparse(&syn::parse_quote!(impl __ { #body }));
        // The lines between `impl __ {` and `}`, one level deeper: in a macro in an impl.
        let lines: Vec<_> = methods.lines().collect();
        let indented: String = lines[1..lines.len() - 1]
            .iter()
            .map(|l| {
                if l.is_empty() {
                    "\n".to_owned()
                } else {
                    format!("    {l}\n")
                }
            })
            .collect();
        out = out.replace(&format!("        __with_std_body_{i}\n"), &indented);
    }
    out
}

/// The checked-in expansion of the seed network is what the macro generates now. To accept a
/// change, run with `UPDATE_EXPAND=1` and read the diff.
#[test]
fn seed_net_expansion_is_checked_in() {
    let input = quote! {
        /// The network of the derivation: one 3x3 filter, sigmoid, dense 400 -> 1, sigmoid.
        pub struct SeedNet {
            input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
        }
    };
    let expanded = pretty(input);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/expand/seed_net.expanded.rs"
    );
    let header = "// The expansion of `network! { pub struct SeedNet { input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid } }`,\n// formatted by prettyplease. Regenerate with `UPDATE_EXPAND=1 cargo test -p cnn-macros`.\n\n";
    let expanded = format!("{header}{expanded}");
    if std::env::var_os("UPDATE_EXPAND").is_some() {
        std::fs::write(path, &expanded).expect("write the expansion");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == expanded,
        "{path} is stale: run `UPDATE_EXPAND=1 cargo test -p cnn-macros` and review the diff"
    );
}

/// Errors come back as `compile_error!`, never as a panic, and the bad network is not emitted.
#[test]
fn errors_are_compile_errors() {
    let out = expand::network(quote! {
        pub struct Bad { input(22x22) -> conv(3x3) -> dense(401->1) }
    })
    .to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("dense expects 401 inputs, but the previous layer outputs 1x20x20 = 400"));
    assert!(!out.contains("struct Bad"));
}

#[test]
fn several_networks_and_a_bad_one_among_them() {
    let out = expand::network(quote! {
        pub struct A { input(4x4) -> conv(2x2) }
        pub struct B { input(4x4) -> conv(5x5) }
        struct C { input(3, 6x6) -> conv(2, 3x3) -> relu -> dense(2) }
    })
    .to_string();
    assert!(out.contains("compile_error"));
    assert!(
        out.contains("conv kernel 5x5 does not fit the input 1x4x4"),
        "{out}"
    );
    // A and C are generated, B is not.
    assert!(out.contains("struct A"));
    assert!(out.contains("struct C"));
    assert!(!out.contains("struct B"));
}
