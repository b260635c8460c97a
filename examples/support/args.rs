//! The command-line options of the examples: `--name value` pairs, nothing else.

use std::error::Error;

/// The options given after `--`, as `(name, value)` pairs; each name must be in `known`.
/// `usage` is the line an unknown or incomplete option is answered with.
pub fn options(known: &[&str], usage: &str) -> Result<Vec<(String, String)>, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut options = Vec::new();
    while let Some(name) = args.next() {
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown argument `{name}`; usage: {usage}").into());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{name} needs a value; usage: {usage}"))?;
        options.push((name, value));
    }
    Ok(options)
}
