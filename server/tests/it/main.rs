//! Every integration test in one binary: one link instead of one per file. Each module runs
//! against the real server over HTTP, on the backend named by `SCHULHOF_TEST_BACKEND`.
mod common;

mod absences;
mod accounts;
mod audit;
mod authorization;
mod calendar;
mod cli;
mod files;
mod filter;
mod forms;
mod foundation;
mod groups;
mod guardians;
mod import;
mod lifecycle;
mod logs;
mod mail;
mod malformed;
mod policy;
mod rights;
mod s3;
mod scale_out;
mod schools;
mod storage;
mod users;
