//! Measuring child processes (wall, CPU, peak RSS through `--rusage`)
//! and the helpers of the report's rows.

use super::*;

/// Child-process measurements are repeated this often, interleaved; the
/// fastest run counts (peak RSS: the largest).
pub(crate) const REPEAT: usize = 3;

/// The faster of two runs, with the larger peak RSS.
pub(crate) fn faster(a: Option<Usage>, b: Usage) -> Usage {
    match a {
        None => b,
        Some(a) => {
            let rss = a.maxrss_mib.max(b.maxrss_mib);
            let mut keep = if a.wall <= b.wall { a } else { b };
            keep.maxrss_mib = rss;
            keep
        }
    }
}

/// What a child process cost.
pub(crate) struct Usage {
    pub(crate) wall: f64,
    pub(crate) user: f64,
    pub(crate) maxrss_mib: f64,
    pub(crate) stdout: String,
}

/// Runs `program args` in `cwd` through this executable's `--rusage` mode,
/// which reports the child's wall time, CPU time and peak RSS.
pub(crate) fn measure(program: &Path, args: &[&str], cwd: &Path) -> Usage {
    let me = std::env::current_exe().expect("current exe");
    let out = Command::new(me)
        .arg("--rusage")
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run the measured command");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = stdout.lines().last().unwrap_or_default();
    let field = |key: &str| -> f64 {
        last.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok()).unwrap_or(f64::NAN)
    };
    if !last.starts_with("RUSAGE") || field("status") != 0.0 {
        eprintln!("command failed: {} {}\n{}", program.display(), args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Usage { wall: field("wall"), user: field("user"), maxrss_mib: field("maxrss_kib") / 1024.0, stdout }
}

/// `--rusage PROGRAM ARGS...`: runs it, then prints its stdout and a line
/// `RUSAGE status= wall= user= sys= maxrss_kib=`.
pub(crate) fn rusage_child(args: &[String]) {
    let start = Instant::now();
    let out = Command::new(&args[0]).args(&args[1..]).output().expect("spawn");
    let wall = start.elapsed().as_secs_f64();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let (user, sys, maxrss) = children_rusage();
    println!(
        "RUSAGE status={} wall={wall:.3} user={user:.3} sys={sys:.3} maxrss_kib={maxrss}",
        out.status.code().unwrap_or(-1)
    );
}

#[cfg(target_os = "linux")]
pub(crate) fn children_rusage() -> (f64, f64, i64) {
    #[repr(C)]
    struct Timeval {
        sec: i64,
        usec: i64,
    }
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        maxrss: i64,
        rest: [i64; 13],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage =
        Rusage { utime: Timeval { sec: 0, usec: 0 }, stime: Timeval { sec: 0, usec: 0 }, maxrss: 0, rest: [0; 13] };
    // SAFETY: `usage` matches the layout of `struct rusage` on 64-bit Linux.
    if unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) } != 0 {
        return (f64::NAN, f64::NAN, -1);
    }
    let secs = |t: &Timeval| t.sec as f64 + t.usec as f64 / 1e6;
    (secs(&usage.utime), secs(&usage.stime), usage.maxrss)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn children_rusage() -> (f64, f64, i64) {
    (f64::NAN, f64::NAN, -1)
}

pub(crate) fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(crate) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// A target's verdict, appended to a row.
pub(crate) fn target(met: bool, what: &str) -> String {
    format!(" [target {what}: {}]", if met { "met" } else { "NOT MET" })
}
