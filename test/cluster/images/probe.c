/* A tiny static program for the cluster's own tests, so they need no image
 * but the ones the harness builds. Subcommands:
 *   probe id          prints "uid=U gid=G"
 *   probe write PATH  tries to create PATH; prints "written" or "error=ERRNO_NAME"
 *   probe sleep       waits until SIGTERM or SIGINT, then exits 0
 *   probe exit N      exits with status N
 *   probe connect IP PORT   opens a TCP connection; prints "connected" or "error=ERRNO_NAME"
 *   probe serve PORT  answers every HTTP request on PORT with 200 "probe\n" until SIGTERM */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig) { (void)sig; stop = 1; }

static const char *errno_name(int e) {
  switch (e) {
  case EROFS: return "EROFS";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case ECONNREFUSED: return "ECONNREFUSED";
  case ENETUNREACH: return "ENETUNREACH";
  case ETIMEDOUT: return "ETIMEDOUT";
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

static int do_connect(const char *ip, const char *port) {
  struct sockaddr_in addr = {0};
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(port));
  if (fd < 0 || inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
    printf("error=BADADDR\n");
    return 1;
  }
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    printf("error=%s\n", errno_name(errno));
    return 1;
  }
  close(fd);
  printf("connected\n");
  return 0;
}

static int do_serve(const char *port) {
  static const char reply[] =
      "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nprobe\n";
  struct sockaddr_in addr = {0};
  char buf[4096];
  int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sigaction sa = {0};
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(port));
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0) {
    printf("error=%s\n", errno_name(errno));
    return 1;
  }
  printf("serving on %s\n", port);
  while (!stop) {
    int c = accept(fd, NULL, NULL);
    if (c < 0) continue;
    if (read(c, buf, sizeof buf) >= 0 && write(c, reply, sizeof reply - 1) < 0) {
      /* the client went away */
    }
    close(c);
  }
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
  if (argc >= 4 && strcmp(argv[1], "connect") == 0) return do_connect(argv[2], argv[3]);
  if (argc >= 3 && strcmp(argv[1], "serve") == 0) return do_serve(argv[2]);
  fprintf(stderr, "usage: probe id | write PATH | sleep | exit N | connect IP PORT | serve PORT\n");
  return 2;
}
