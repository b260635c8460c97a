//! Property tests of the whole pipeline on arbitrary tokens: whatever `network!` is given, it
//! returns (never panics, never hangs), its output parses as Rust items, and anything it does
//! not accept comes back as a `compile_error!` with a message.
//!
//! Three generators, each run as one property:
//! - `mutated_definitions`: valid definitions (the seed net, LeNet-5, one with labels, strides,
//!   padding, both pools, `leaky_relu` and `softmax`, two networks in one invocation) with one to
//!   four mutations: a token dropped, duplicated, swapped or replaced, a number made 0, huge,
//!   negative or malformed, a token or a group inserted, a group dropped or duplicated;
//! - `random_chains`: chains of well-formed layers with random arguments (mostly small, some 0
//!   or huge), which reach the shape and budget checks and, when they pass, code generation;
//! - `token_soups`: nested random tokens, bare or inside `pub struct Soup { .. }`.
//!
//! Definitions are worked on as text, one string per token (groups flattened into their
//! delimiters), and lexed again with `TokenStream::from_str`, as rustc would hand them over.
//! Runs are repeatable: the seed is fixed unless `PROPTEST_RNG_SEED` is set, and
//! `PROPTEST_CASES` raises (or lowers) the number of cases of each property. Each property's
//! cases run in two parts on two threads, the second with the seed plus one.
//!
//! Spans are not checked here: outside a real macro invocation proc_macro2's spans carry no
//! positions. The ui tests (`tests/ui`) check where each message points.

use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::expand;

/// Valid definitions that mutations start from.
const SEEDS: &[&str] = &[
    "/// The matrix-form example.
     pub struct SeedNet {
         input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid
     }",
    "pub struct LeNet5 {
         input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu
             -> maxpool(2x2) -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10)
     }",
    "/// Labels, strides, padding, both pools, leaky ReLU, softmax.
     #[allow(dead_code)]
     pub(crate) struct Tagged {
         input(3, 16x16) -> c1: conv(4, 3x3, stride = 1, pad = same) -> leaky_relu(0.1)
             -> p1: maxpool(2x2) -> c2: conv(8, 3x3, stride = 2, pad = 1) -> tanh
             -> avgpool(2x2, stride = 1) -> head: dense(10) -> softmax
     }",
    "struct A { input(4x4) -> conv(2x2) }
     struct B { input(2, 6x6) -> conv(2, 3x3) -> relu -> dense(32->2) -> sigmoid }",
];

/// Tokens to insert or to replace others with: every one lexes on its own and keeps the
/// delimiters balanced.
#[rustfmt::skip]
const VOCABULARY: &[&str] = &[
    // Layer kinds, option names, keywords and labels.
    "input", "conv", "dense", "maxpool", "avgpool", "sigmoid", "relu", "tanh", "leaky_relu",
    "softmax", "stride", "pad", "same", "x", "struct", "pub", "crate", "self", "Self", "r#conv",
    "r#type", "_", "f64", "c1", "conv1", "dense1", "fn", "where",
    // Punctuation.
    "->", "-", ">", "<", ",", ":", "::", "=", "==", ";", "#", "!", ".", "..", "+", "*", "/", "&",
    "|", "?", "@", "$", "~", "^", "%", "=>", "<-",
    // Literals.
    "0", "1", "3", "3x3", "0x3", "1x1", "22x22", "0.1", "1e9", "\"s\"", "'c'", "b\"x\"", "1u8",
    "3x3x3", "1_0", "2.5e-3", "'a",
    // Balanced groups.
    "()", "[]", "{}", "(3x3)", "(,)", "(4->2)", "(x)", "(->)", "(pad = same)", "(stride = 0)",
    "(2, 3x3)", "{ input(2x2) -> dense(1) }", "#[doc = \"d\"]", "#[cfg(any())]",
];

/// Numbers to put in place of one, or of one side of a size `HxW`.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "340282366920938463463374607431768211455",
    "9223372036854775807",
    "4294967296",
    "65536",
    "-1",
    "-3",
    "- 3",
    "-0",
    "0.5",
    "-0.5",
    "1e999",
    "1e-999",
    "0x10",
    "0b11",
    "0o7",
    "3u8",
    "3f32",
    "3_000",
    "1x0",
    "0x0",
    "x3",
    "3x",
    "3xx3",
    "3x3x3",
    "3x-3",
    "3x3.5",
    "18446744073709551615x18446744073709551615",
];

/// How long one expansion may take, at the test profile's `opt-level = 1`, on a loaded machine.
/// The budgets (`budget::MAX_*`) keep every accepted definition far below this.
const SLOW: Duration = Duration::from_secs(10);

/// The definition as one string per token; groups are flattened into their delimiters, and
/// joint punctuation (`->`, `::`) stays one token.
fn tokens(src: &str) -> Vec<String> {
    fn flatten(stream: TokenStream, out: &mut Vec<String>) {
        let mut punct = String::new();
        for tree in stream {
            if let TokenTree::Punct(p) = &tree {
                punct.push(p.as_char());
                if p.spacing() == Spacing::Alone {
                    out.push(std::mem::take(&mut punct));
                }
                continue;
            }
            if !punct.is_empty() {
                out.push(std::mem::take(&mut punct));
            }
            match tree {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    if !open.is_empty() {
                        out.push(open.to_owned());
                    }
                    flatten(g.stream(), out);
                    if !close.is_empty() {
                        out.push(close.to_owned());
                    }
                }
                TokenTree::Ident(i) => out.push(i.to_string()),
                TokenTree::Literal(l) => out.push(l.to_string()),
                TokenTree::Punct(_) => unreachable!("handled above"),
            }
        }
        if !punct.is_empty() {
            out.push(punct);
        }
    }
    let mut out = Vec::new();
    flatten(TokenStream::from_str(src).expect("a seed lexes"), &mut out);
    out
}

fn is_open(token: &str) -> bool {
    matches!(token, "(" | "[" | "{")
}

fn is_delimiter(token: &str) -> bool {
    matches!(token, "(" | "[" | "{" | ")" | "]" | "}")
}

/// The index one past the group opened at `open`.
fn group_end(tokens: &[String], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if is_open(t) {
            depth += 1;
        } else if is_delimiter(t) {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
    }
    tokens.len()
}

/// Which part of a size `HxW` a number replaces; the whole token for a plain number.
#[derive(Clone, Copy, Debug)]
enum Side {
    Whole,
    Height,
    Width,
}

#[derive(Clone, Debug)]
enum Mutation {
    Drop(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Replace(Index, String),
    Number(Index, Side, String),
    Insert(Index, String),
    DropGroup(Index),
    DuplicateGroup(Index),
}

impl Mutation {
    fn apply(&self, tokens: &mut Vec<String>) {
        // Positions of the tokens a mutation may pick, so that the delimiters stay balanced.
        let positions = |tokens: &[String], keep: fn(&str) -> bool| -> Vec<usize> {
            (0..tokens.len()).filter(|&i| keep(&tokens[i])).collect()
        };
        let plain = |t: &str| !is_delimiter(t);
        let number = |t: &str| t.starts_with(|c: char| c.is_ascii_digit());
        let pick =
            |from: &[usize], i: &Index| (!from.is_empty()).then(|| from[i.index(from.len())]);
        match self {
            Mutation::Drop(i) => {
                if let Some(at) = pick(&positions(tokens, plain), i) {
                    tokens.remove(at);
                }
            }
            Mutation::Duplicate(i) => {
                if let Some(at) = pick(&positions(tokens, plain), i) {
                    tokens.insert(at, tokens[at].clone());
                }
            }
            Mutation::Swap(i, j) => {
                let plain = positions(tokens, plain);
                if let (Some(a), Some(b)) = (pick(&plain, i), pick(&plain, j)) {
                    tokens.swap(a, b);
                }
            }
            Mutation::Replace(i, with) => {
                if let Some(at) = pick(&positions(tokens, plain), i) {
                    tokens[at].clone_from(with);
                }
            }
            Mutation::Number(i, side, value) => {
                if let Some(at) = pick(&positions(tokens, number), i) {
                    let old = &tokens[at];
                    tokens[at] = match (side, old.split_once('x')) {
                        (Side::Height, Some((_, w))) => format!("{value}x{w}"),
                        (Side::Width, Some((h, _))) => format!("{h}x{value}"),
                        _ => value.clone(),
                    };
                }
            }
            Mutation::Insert(i, token) => {
                let at = i.index(tokens.len() + 1);
                tokens.insert(at, token.clone());
            }
            Mutation::DropGroup(i) => {
                if let Some(at) = pick(&positions(tokens, is_open), i) {
                    let end = group_end(tokens, at);
                    tokens.drain(at..end);
                }
            }
            Mutation::DuplicateGroup(i) => {
                if let Some(at) = pick(&positions(tokens, is_open), i) {
                    let end = group_end(tokens, at);
                    let group: Vec<String> = tokens[at..end].to_vec();
                    tokens.splice(end..end, group);
                }
            }
        }
    }
}

/// A random identifier, keywords included.
fn identifier() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,7}"
}

/// A number as a token: mostly the edge cases above, some random ones.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(NUMBERS).prop_map(str::to_owned),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<u128>().prop_map(|n| n.to_string()),
        2 => (0u64..=64).prop_map(|n| n.to_string()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let side = prop_oneof![Just(Side::Whole), Just(Side::Height), Just(Side::Width)];
    let token = prop_oneof![
        3 => select(VOCABULARY).prop_map(str::to_owned),
        1 => identifier(),
        1 => number(),
    ];
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Drop),
        2 => any::<Index>().prop_map(Mutation::Duplicate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
        2 => (any::<Index>(), token.clone()).prop_map(|(i, t)| Mutation::Replace(i, t)),
        4 => (any::<Index>(), side, number()).prop_map(|(i, s, n)| Mutation::Number(i, s, n)),
        2 => (any::<Index>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        1 => any::<Index>().prop_map(Mutation::DropGroup),
        1 => any::<Index>().prop_map(Mutation::DuplicateGroup),
    ]
}

/// A seed with one to four mutations applied, as text.
fn mutated_definition() -> impl Strategy<Value = String> {
    (0..SEEDS.len(), prop::collection::vec(mutation(), 1..=4)).prop_map(|(seed, mutations)| {
        let mut t = tokens(SEEDS[seed]);
        for m in &mutations {
            m.apply(&mut t);
        }
        t.join(" ")
    })
}

/// A number argument for a random chain: mostly small enough that the chain can be valid.
fn small() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (1u64..=6).prop_map(|n| n.to_string()),
        2 => (7u64..=40).prop_map(|n| n.to_string()),
        1 => Just("0".to_owned()),
        1 => number(),
    ]
}

fn size() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (small(), small()).prop_map(|(h, w)| format!("{h}x{w}")),
        1 => (1u64..=6).prop_map(|k| format!("{k}x{k}")),
        1 => (small(), small()).prop_map(|(h, w)| format!("{h} x {w}")),
    ]
}

fn layer() -> impl Strategy<Value = String> {
    let opt = |s: BoxedStrategy<String>| prop::option::weighted(0.3, s);
    let pad = prop_oneof![small(), Just("same".to_owned()), identifier()].boxed();
    let conv = (opt(small().boxed()), size(), opt(small().boxed()), opt(pad)).prop_map(
        |(filters, size, stride, pad)| {
            let mut args: Vec<String> = filters.into_iter().collect();
            args.push(size);
            args.extend(stride.map(|s| format!("stride = {s}")));
            args.extend(pad.map(|p| format!("pad = {p}")));
            format!("conv({})", args.join(", "))
        },
    );
    let pool = (any::<bool>(), size(), opt(small().boxed())).prop_map(|(max, size, stride)| {
        let kind = if max { "maxpool" } else { "avgpool" };
        match stride {
            Some(s) => format!("{kind}({size}, stride = {s})"),
            None => format!("{kind}({size})"),
        }
    });
    let dense = prop_oneof![
        3 => small().prop_map(|m| format!("dense({m})")),
        1 => (small(), small()).prop_map(|(n, m)| format!("dense({n}->{m})")),
    ];
    let activation = prop_oneof![
        select(
            &[
                "sigmoid",
                "relu",
                "tanh",
                "softmax",
                "leaky_relu(0.1)",
                "leaky_relu(-0.5)"
            ][..]
        )
        .prop_map(str::to_owned),
        number().prop_map(|a| format!("leaky_relu({a})")),
    ];
    let unlabelled = prop_oneof![3 => conv, 2 => pool, 3 => dense, 3 => activation];
    let label = select(&["c1", "c2", "head", "conv1", "dense2", "input", "r#fn", "x"][..]);
    (prop::option::weighted(0.2, label), unlabelled).prop_map(|(label, layer)| match label {
        Some(label) => format!("{label}: {layer}"),
        None => layer,
    })
}

/// `pub struct Net { input(..) -> layer -> ... }` of well-formed layers with random arguments.
fn random_chain() -> impl Strategy<Value = String> {
    let input = prop_oneof![
        3 => size().prop_map(|s| format!("input({s})")),
        1 => (small(), size()).prop_map(|(c, s)| format!("input({c}, {s})")),
    ];
    (input, prop::collection::vec(layer(), 0..7)).prop_map(|(input, layers)| {
        let chain: Vec<String> = std::iter::once(input).chain(layers).collect();
        format!("pub struct Net {{ {} }}", chain.join(" -> "))
    })
}

/// Nested random tokens, bare or as the body of a network.
fn token_soup() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => select(VOCABULARY).prop_map(str::to_owned),
        1 => identifier(),
        1 => number(),
    ];
    let soup = leaf.prop_recursive(3, 48, 8, |inner| {
        (
            select(&[("(", ")"), ("[", "]"), ("{", "}")][..]),
            prop::collection::vec(inner, 0..8),
        )
            .prop_map(|((open, close), inner)| format!("{open} {} {close}", inner.join(" ")))
    });
    (any::<bool>(), prop::collection::vec(soup, 0..16)).prop_map(|(wrap, soup)| {
        let soup = soup.join(" ");
        if wrap {
            format!("pub struct Soup {{ {soup} }}")
        } else {
            soup
        }
    })
}

/// What one property saw, for the summary it prints.
#[derive(Default)]
struct Tally {
    unlexed: AtomicUsize,
    accepted: AtomicUsize,
    refused: AtomicUsize,
    slowest: Mutex<(Duration, String)>,
}

impl Tally {
    fn cases(&self) -> usize {
        [&self.unlexed, &self.accepted, &self.refused]
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .sum()
    }
}

/// Expands `src` and checks the output: it parses as a file of items, and is either the
/// networks or carries at least one `compile_error!` with a message.
fn check_expansion(src: &str, tally: &Tally) -> Result<(), TestCaseError> {
    let Ok(input) = TokenStream::from_str(src) else {
        tally.unlexed.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    };
    let start = Instant::now();
    let output = expand::network(input);
    let took = start.elapsed();
    {
        let mut slowest = tally.slowest.lock().unwrap_or_else(|e| e.into_inner());
        if took > slowest.0 {
            *slowest = (took, src.to_owned());
        }
    }
    prop_assert!(took < SLOW, "expansion took {took:?}");
    prop_assert!(!output.is_empty(), "empty expansion");
    let file = syn::parse2::<syn::File>(output.clone())
        .map_err(|e| TestCaseError::fail(format!("the expansion does not parse: {e}\n{output}")))?;
    let messages: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => {
                let lit: syn::LitStr = m.mac.parse_body().ok()?;
                Some(lit.value())
            }
            _ => None,
        })
        .collect();
    let errors = output.to_string().matches("compile_error").count();
    prop_assert_eq!(
        messages.len(),
        errors,
        "a compile_error! that is not an item with one message"
    );
    if messages.is_empty() {
        tally.accepted.fetch_add(1, Ordering::Relaxed);
        prop_assert!(
            file.items.iter().any(|i| matches!(i, syn::Item::Struct(_))),
            "neither an error nor a network"
        );
    } else {
        tally.refused.fetch_add(1, Ordering::Relaxed);
        for m in &messages {
            prop_assert!(!m.trim().is_empty(), "an empty error message");
        }
    }
    Ok(())
}

/// The parts a property's cases are split into, each on a thread of its own with a seed of its
/// own (the base seed plus the part's number): two, for two cores. A constant, so that which
/// cases run does not depend on the machine.
const PARTS: u32 = 2;

/// Runs `cases` cases (or `PROPTEST_CASES`) of the strategy that `strategy` makes, in
/// [`PARTS`] parts, panicking with the minimal failing input. Prints what it saw; `cargo test
/// -- --nocapture` shows it.
fn run<S: Strategy<Value = String>>(name: &str, cases: u32, strategy: fn() -> S) -> Tally {
    let mut config = Config::with_cases(cases);
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = Config::default().cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x00c0_ffee);
    }
    config.failure_persistence = None;
    let cases = config.cases;
    let tally = Tally::default();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for part in 0..PARTS {
            let mut config = config.clone();
            config.cases = cases / PARTS + u32::from(part < cases % PARTS);
            if let RngSeed::Fixed(seed) = config.rng_seed {
                config.rng_seed = RngSeed::Fixed(seed.wrapping_add(u64::from(part)));
            }
            let tally = &tally;
            scope.spawn(move || {
                let mut runner = TestRunner::new(config);
                if let Err(e) = runner.run(&strategy(), |src| check_expansion(&src, tally)) {
                    panic!("{name}, part {part}: {e}");
                }
            });
        }
    });
    let guard = tally.slowest.lock().unwrap_or_else(|e| e.into_inner());
    let (slowest, slowest_src) = &*guard;
    eprintln!(
        "{name}: {cases} cases in {:.1?} ({PARTS} threads): {} accepted, {} refused, {} did not \
         lex; slowest expansion {slowest:.1?}: {slowest_src}",
        start.elapsed(),
        tally.accepted.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.unlexed.load(Ordering::Relaxed),
    );
    drop(guard);
    tally
}

#[test]
fn seeds_are_valid() {
    for seed in SEEDS {
        let out = expand::network(TokenStream::from_str(seed).unwrap()).to_string();
        assert!(!out.contains("compile_error"), "{seed}\n{out}");
        // The token list is the seed again.
        let again = tokens(seed).join(" ");
        assert_eq!(
            TokenStream::from_str(&again).unwrap().to_string(),
            TokenStream::from_str(seed).unwrap().to_string()
        );
    }
}

#[test]
fn mutated_definitions() {
    let tally = run("mutated_definitions", 20_000, mutated_definition);
    // Most mutations keep the text lexable, and both outcomes are reached.
    let cases = tally.cases();
    assert!(tally.unlexed.load(Ordering::Relaxed) < cases / 10);
    assert!(tally.accepted.load(Ordering::Relaxed) > cases / 1_000);
    assert!(tally.refused.load(Ordering::Relaxed) > cases / 2);
}

#[test]
fn random_chains() {
    let tally = run("random_chains", 10_000, random_chain);
    let cases = tally.cases();
    assert!(tally.accepted.load(Ordering::Relaxed) > cases / 100);
    assert!(tally.refused.load(Ordering::Relaxed) > cases / 2);
}

#[test]
fn token_soups() {
    run("token_soups", 5_000, token_soup);
}
