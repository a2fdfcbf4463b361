// CTracePrefetch — a memory prefetch hint for the trace writers' loops over events in memory.
#ifndef CTRACEPREFETCH_H
#define CTRACEPREFETCH_H

/// Asks the CPU to start loading the cache line at `p` (for reading, kept in all cache levels); no effect
/// on results. Swift has no prefetch of its own; this inlines into the caller.
static inline void ct_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
