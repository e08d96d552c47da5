//! The school's rules, written once and compiled for both the browser and the server.
//! The browser calls them for instant feedback; the server calls them again and decides.
//! Nothing here may depend on `ssr` or `hydrate`: large or secret data (password lists,
//! blocklists) stays on the server and is checked in the feature's server code.
pub mod absence;
pub mod calendar;
pub mod class;
pub mod date;
pub mod domain;
pub mod files;
pub mod guardian;
pub mod links;
pub mod login;
pub mod mail;
pub mod password;
pub mod policy;
pub mod search;
pub mod text;
