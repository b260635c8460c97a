//! Ctrl-C (SIGINT) as a stop flag: installed once, by the first `fit` that asks for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::Error;

/// The flag Ctrl-C sets, or why it could not be installed.
static CTRL_C: OnceLock<Result<Arc<AtomicBool>, String>> = OnceLock::new();

/// The flag of Ctrl-C, cleared, its handler installed on the first call: the first SIGINT
/// sets it, a second one while it is set ends the process with status 130 (as a shell
/// reports a process ended by SIGINT).
pub(crate) fn ctrl_c() -> Result<Arc<AtomicBool>, Error> {
    let installed = CTRL_C.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        install(&flag).map(|()| flag).map_err(|e| e.to_string())
    });
    match installed {
        Ok(flag) => {
            flag.store(false, Ordering::Relaxed);
            Ok(Arc::clone(flag))
        }
        Err(reason) => Err(Error::Setting {
            setting: "stop_on_ctrl_c",
            reason: format!("the SIGINT handler could not be installed: {reason}"),
        }),
    }
}

#[cfg(unix)]
fn install(flag: &Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::SIGINT;
    // In this order: the exit is taken only if the flag was already set by an earlier SIGINT.
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(flag))?;
    signal_hook::flag::register(SIGINT, Arc::clone(flag))?;
    Ok(())
}

#[cfg(not(unix))]
fn install(_: &Arc<AtomicBool>) -> std::io::Result<()> {
    Ok(())
}
