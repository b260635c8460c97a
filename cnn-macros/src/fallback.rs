//! Stubs for networks whose definition has errors: a struct of the same name with the same
//! methods, generic enough to accept any use, so that the one error the user sees is the one
//! in the definition. (After thiserror's `impl/src/fallback.rs`.)

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::Ident;

/// A stub for every `struct Name` among the top-level tokens whose name is not in `good`. The
/// raw tokens are scanned rather than the parsed definition, so stubs come even when parsing
/// failed.
pub fn stubs(tokens: TokenStream, good: &[String]) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    for pair in trees.windows(2) {
        if let [TokenTree::Ident(kw), TokenTree::Ident(name)] = pair
            && kw == "struct"
            && !good.contains(&name.to_string())
        {
            out.extend(stub(name));
        }
    }
    out
}

fn stub(name: &Ident) -> TokenStream {
    quote! {
        #[allow(dead_code, unreachable_pub)]
        pub struct #name<T = f32>(::core::marker::PhantomData<T>);

        #[allow(dead_code, unreachable_pub, clippy::all)]
        impl #name<f32> {
            pub const INPUT_SHAPE: [usize; 3] = [0; 3];
            pub const INPUT_LEN: usize = 0;
            pub const OUTPUT_LEN: usize = 0;
            pub const PARAM_LEN: usize = 0;
            pub fn new(_seed: u64) -> Self {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn zeroed() -> Self {
                ::core::unimplemented!("the definition of this network has errors")
            }
        }

        impl<T> ::core::clone::Clone for #name<T> {
            fn clone(&self) -> Self {
                ::core::unimplemented!("the definition of this network has errors")
            }
        }

        /// So that `Name::<f64>::new(seed)` and the other trait items resolve too.
        #[allow(clippy::all)]
        impl<T: ::cnn::Float> ::cnn::Network for #name<T> {
            type Scalar = T;
            type Input = [T; 0];
            type Output = [T; 0];
            type Params = [T; 0];
            const INPUT_SHAPE: [usize; 3] = [0; 3];
            const TENSORS: &'static [::cnn::TensorInfo] = &[];
            fn zeroed() -> Self {
                ::core::unimplemented!("the definition of this network has errors")
            }
            fn param_tensor(&self) -> &[T; 0] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            fn param_tensor_mut(&mut self) -> &mut [T; 0] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            fn forward(&self, _x: &[T; 0]) -> [T; 0] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            fn backprop<L: ::cnn::loss::Loss>(
                &self,
                _x: &[T; 0],
                _target: &[T; 0],
                _loss: &L,
                _scale: T,
                _grad: &mut [T; 0],
            ) -> T {
                ::core::unimplemented!("the definition of this network has errors")
            }
            fn input_gradient<L: ::cnn::loss::Loss>(
                &self,
                _x: &[T; 0],
                _target: &[T; 0],
                _loss: &L,
                _dx: &mut [T; 0],
            ) -> T {
                ::core::unimplemented!("the definition of this network has errors")
            }
        }

        #[allow(dead_code, unreachable_pub, clippy::all)]
        impl<T> #name<T> {
            pub fn forward<X>(&self, _x: X) -> &'static [T] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn params(&self) -> &[T] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn params_mut(&mut self) -> &mut [T] {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn forward_batch<X>(
                &self,
                _x: X,
            ) -> ::core::result::Result<::cnn::ndarray::Array2<T>, ::cnn::Error> {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn loss_and_grad<X, Y, L>(
                &self,
                _x: X,
                _y: Y,
                _loss: L,
            ) -> ::core::result::Result<(T, ::std::vec::Vec<T>), ::cnn::Error> {
                ::core::unimplemented!("the definition of this network has errors")
            }
            pub fn train_step<X, Y, L, O>(
                &mut self,
                _x: X,
                _y: Y,
                _loss: L,
                _optimizer: O,
            ) -> ::core::result::Result<T, ::cnn::Error> {
                ::core::unimplemented!("the definition of this network has errors")
            }
        }
    }
}
