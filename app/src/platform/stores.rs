//! The features' stores, each under its own trait, as the composition root registered them.
//!
//! `platform` sits below the features and cannot name their traits, so the root
//! (`crate::state`) registers each `Arc<dyn SomeStore>` here by type, once at start-up, and
//! each feature reaches its own through one accessor on [`AppState`](super::AppState) (for
//! example `state.mailbox()`, defined beside `MailboxStore`). A feature never sees the whole store.
//! A type map, not a struct with a field per store, because such a struct would have to
//! name every feature; the test in `state.rs` checks that every accessor finds its store.
use std::{
    any::{Any, TypeId},
    collections::HashMap,
    sync::Arc,
};

#[derive(Default)]
pub struct Stores(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Stores {
    /// Registers `handle` as the store behind the trait object type `T`.
    pub fn register<T: ?Sized + Send + Sync + 'static>(&mut self, handle: Arc<T>) {
        self.0.insert(TypeId::of::<T>(), Box::new(handle));
    }

    /// The store registered for `T`. A missing one is a wiring mistake in the composition
    /// root, found by its start-up test, never by a user.
    pub fn get<T: ?Sized + 'static>(&self) -> &T {
        self.arc::<T>()
    }

    /// [`Stores::get`] as a shared handle, for holders that outlive a borrow.
    pub fn arc<T: ?Sized + 'static>(&self) -> &Arc<T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|handle| handle.downcast_ref::<Arc<T>>())
            .unwrap_or_else(|| {
                panic!(
                    "the composition root registered no {}",
                    std::any::type_name::<T>()
                )
            })
    }
}
