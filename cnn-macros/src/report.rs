//! The error sink of a phase: errors are collected here, so that every mistake of a definition
//! is reported at once, and the next phase runs only if there were none.

use proc_macro2::Span;

/// The errors found so far, combined into one `syn::Error` (which emits one `compile_error!`
/// per message, each on its own span).
///
/// Dropping it loses the errors, hence `#[must_use]`: end with [`Errors::finish`], or fold it
/// into an outer sink with [`Errors::append`].
#[must_use = "errors are lost unless reported with `finish` or moved with `append`"]
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// An error with `msg` on `span`.
    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Moves the errors of `other` to the end of these.
    pub fn append(&mut self, other: Errors) {
        if let Some(e) = other.0 {
            self.push(e);
        }
    }

    /// `Err` with every error, or `Ok` if there were none.
    pub fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}
