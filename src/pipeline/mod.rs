//! The pipeline of a build or a check, below the command line and above
//! the outputs: each edition's checked [`Plan`], made before any work;
//! the [`Session`] that runs it (load, passes, typeset when the plan needs
//! it, the producers, the atomic write); one producer per format
//! ([`producers`]); the stages, their timings and the diagnostics' levels,
//! recorded in one place ([`stages`]); and the [`Outcome`] the commands
//! show.

pub mod checks;
pub mod outcome;
pub mod plan;
pub mod producers;
pub mod session;
pub mod stages;
pub mod typeset;

pub use outcome::{Artifact, ArtifactKind, Outcome, Timing};
pub use plan::template;
pub use plan::{BuildOptions, Mode, Plan};
pub use session::{Session, build, check};
pub use stages::{Progress, Silent, Stage};
