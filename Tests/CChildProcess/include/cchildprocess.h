// CChildProcess — test support: the two GNU spawn calls Swift's Glibc module does not expose.
#ifndef CCHILDPROCESS_H
#define CCHILDPROCESS_H
#include <sys/types.h>

/// pipe2(fds, O_CLOEXEC): both ends close on exec, so no other child inherits them.
int cchild_cloexec_pipe(int fds[2]);

/// posix_spawn of `path` with stdin/stdout/stderr from `in_fd`/`out_fd`/`err_fd`, every other
/// descriptor closed in the child, an empty signal mask, and `dir` as the working directory
/// (unchanged when NULL). Returns 0 or an errno value.
int cchild_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
                 int in_fd, int out_fd, int err_fd);
/// Like `cchild_spawn`; with `new_group` non-zero the child leads a new process group (its pid), so the
/// child and everything it starts can be killed at once with kill(-pid, …).
int cchild_spawn_group(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
                       int in_fd, int out_fd, int err_fd, int new_group);
#endif
