/* Power-loss model for server/tests/power_loss.rs, loaded into the server with
 * LD_PRELOAD. Every successful fsync/fdatasync of a regular file directly inside
 * $PACKBELL_POWERLOSS_WATCH copies that file, as it is at that moment, to
 * $PACKBELL_POWERLOSS_SHADOW. The copy is what a disk that loses everything not
 * synced would hold after the power went: the test replaces the data dir's files
 * with these copies (and drops files never synced) after killing the server.
 * Only the server's writer thread writes the database, so the copy taken right after
 * its fsync holds exactly what that fsync made durable. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;

static void keep_synced_copy(int fd) {
    const char *watched = getenv("PACKBELL_POWERLOSS_WATCH");
    const char *shadow = getenv("PACKBELL_POWERLOSS_SHADOW");
    if (watched == NULL || shadow == NULL) return;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length <= 0) return;
    path[length] = '\0';
    size_t watched_length = strlen(watched);
    if (strncmp(path, watched, watched_length) != 0 || path[watched_length] != '/') return;
    const char *name = path + watched_length + 1;
    if (strchr(name, '/') != NULL) return;
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) return;

    char target[PATH_MAX], partial[PATH_MAX];
    snprintf(target, sizeof target, "%s/%s", shadow, name);
    snprintf(partial, sizeof partial, "%s/.%s.partial", shadow, name);
    pthread_mutex_lock(&copy_lock);
    int out = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out >= 0) {
        static char buffer[1 << 16];
        off_t offset = 0;
        int ok = 1;
        while (offset < status.st_size) {
            ssize_t got = pread(fd, buffer, sizeof buffer, offset);
            if (got <= 0) { ok = got == 0; break; }
            if (write(out, buffer, (size_t)got) != got) { ok = 0; break; }
            offset += got;
        }
        close(out);
        if (ok) rename(partial, target); else unlink(partial);
    }
    pthread_mutex_unlock(&copy_lock);
}

int fsync(int fd) {
    static int (*real_fsync)(int);
    if (real_fsync == NULL) real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real_fsync(fd);
    if (result == 0) keep_synced_copy(fd);
    return result;
}

int fdatasync(int fd) {
    static int (*real_fdatasync)(int);
    if (real_fdatasync == NULL) real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real_fdatasync(fd);
    if (result == 0) keep_synced_copy(fd);
    return result;
}
