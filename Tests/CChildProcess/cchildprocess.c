// CChildProcess — test support: posix_spawn with closefrom and chdir (glibc ≥ 2.34 GNU extensions).
#define _GNU_SOURCE
#include "cchildprocess.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

int cchild_cloexec_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cchild_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
                 int in_fd, int out_fd, int err_fd) {
    return cchild_spawn_group(pid, path, argv, envp, dir, in_fd, out_fd, err_fd, 0);
}

int cchild_spawn_group(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
                       int in_fd, int out_fd, int err_fd, int new_group) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }
    sigset_t none;
    sigemptyset(&none);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0 && dir) rc = posix_spawn_file_actions_addchdir_np(&actions, dir);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0 && new_group) rc = posix_spawnattr_setpgroup(&attributes, 0);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | (new_group ? POSIX_SPAWN_SETPGROUP : 0));
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}
