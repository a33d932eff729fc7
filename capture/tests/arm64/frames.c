/* Writes AArch64 `ucontext`s as a real kernel (or qemu-aarch64, which lays
 * out signal frames as the kernel does) and glibc's getcontext make them,
 * for tests/arm64_frames.rs:
 *
 *   frames signal OUT      fault at address 0x40 with x0-x28 and d8-d15
 *                          set to known values; the SIGSEGV handler writes
 *                          { &fault_here, si_addr, the ucontext } to OUT
 *   frames getcontext OUT  writes { &main, &local, the ucontext } to OUT
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

extern char fault_here[];
static int out_fd = -1;

static void put(const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(out_fd, c, n);
        if (w <= 0) _exit(3);
        c += w;
        n -= (size_t)w;
    }
}

static void on_segv(int signal, siginfo_t *info, void *uc) {
    (void)signal;
    uint64_t header[2] = { (uint64_t)(uintptr_t)fault_here, (uint64_t)(uintptr_t)info->si_addr };
    put(header, sizeof header);
    put(uc, sizeof(ucontext_t));
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    out_fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0) return 2;
    if (strcmp(argv[1], "getcontext") == 0) {
        static ucontext_t uc;
        volatile int local = 0;
        getcontext(&uc);
        uint64_t header[2] = { (uint64_t)(uintptr_t)main, (uint64_t)(uintptr_t)&local };
        put(header, sizeof header);
        put(&uc, sizeof uc);
        return 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    /* xN = 0xN00 + N (decimal N), d(8+k) = 0xd800 + k, then a load from 0x40. */
    __asm__ volatile(
        "mov x0, #0x000\n mov x1, #0x101\n mov x2, #0x202\n mov x3, #0x303\n"
        "mov x4, #0x404\n mov x5, #0x505\n mov x6, #0x606\n mov x7, #0x707\n"
        "mov x8, #0x808\n mov x10, #0xa0a\n mov x11, #0xb0b\n"
        "mov x12, #0xc0c\n mov x13, #0xd0d\n mov x14, #0xe0e\n mov x15, #0xf0f\n"
        "mov x16, #0x1010\n mov x17, #0x1111\n mov x18, #0x1212\n mov x19, #0x1313\n"
        "mov x20, #0x1414\n mov x21, #0x1515\n mov x22, #0x1616\n mov x23, #0x1717\n"
        "mov x24, #0x1818\n mov x25, #0x1919\n mov x26, #0x1a1a\n mov x27, #0x1b1b\n"
        "mov x28, #0x1c1c\n"
        "mov x9, #0xd800\n fmov d8, x9\n mov x9, #0xd801\n fmov d9, x9\n"
        "mov x9, #0xd802\n fmov d10, x9\n mov x9, #0xd803\n fmov d11, x9\n"
        "mov x9, #0x40\n"
        ".globl fault_here\n"
        "fault_here: ldr x9, [x9]\n"
        :
        :
        : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
          "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
          "x26", "x27", "x28", "d8", "d9", "d10", "d11", "memory");
    return 1;
}
