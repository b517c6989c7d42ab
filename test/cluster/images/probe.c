/* A tiny static program for the cluster's own tests, so they need no image
 * but the ones the harness builds. Subcommands:
 *   probe id          prints "uid=U gid=G"
 *   probe write PATH  tries to create PATH; prints "written" or "error=ERRNO_NAME"
 *   probe sleep       waits until SIGTERM or SIGINT, then exits 0
 *   probe exit N      exits with status N */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig) { (void)sig; stop = 1; }

static const char *errno_name(int e) {
  switch (e) {
  case EROFS: return "EROFS";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  default: return "OTHER";
  }
}

static int do_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("error=%s\n", errno_name(errno));
    return 0;
  }
  close(fd);
  printf("written\n");
  return 0;
}

static int do_sleep(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  while (!stop) pause();
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc >= 2 && strcmp(argv[1], "id") == 0) {
    printf("uid=%u gid=%u\n", (unsigned)getuid(), (unsigned)getgid());
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "write") == 0) return do_write(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "sleep") == 0) return do_sleep();
  if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  fprintf(stderr, "usage: probe id | write PATH | sleep | exit N\n");
  return 2;
}
