//! eventlint: a static analyzer for event-driven AWS architectures.
//!
//! Templates (SAM/CloudFormation) and the handler code they deploy are loaded into one event
//! graph; rules ask that graph questions and return findings with spans.

pub mod diagnostic;
pub mod model;
pub mod report;
pub mod source;
