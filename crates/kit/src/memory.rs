//! Returning start-up memory to the operating system.
//!
//! Compiling the Ory config schemas allocates tens of megabytes that are freed once the
//! validators are dropped, but glibc keeps freed pages in its arenas, so an idle server would
//! still hold them. [`release_freed_memory`] hands them back; call it once start-up is done.

/// Gives freed heap pages back to the OS (glibc `malloc_trim`); a no-op elsewhere.
#[allow(unsafe_code)]
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; 0 keeps no extra padding.
    unsafe {
        libc::malloc_trim(0);
    }
}
