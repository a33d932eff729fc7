/*
 * dumpstreams DUMP TYPE...
 *
 * Maps a minidump into memory and asks dbghelp's MiniDumpReadDumpStream for
 * each stream type given (decimal or 0x hex). Prints one line per type:
 *
 *   stream TYPE found=0
 *   stream TYPE found=1 size=N dirsize=N [details]
 *
 * where size is what MiniDumpReadDumpStream returned and dirsize is the
 * DataSize of the directory entry it returned. Details, by type:
 *   ThreadList   threads=N first_tid=0xID
 *   ModuleList   modules=N first_base=0xBASE
 *   MemoryList   ranges=N first_start=0xSTART
 *   Exception    tid=0xID code=0xCODE
 *   SystemInfo   arch=N platform=N
 *   MiscInfo     pid=N (if the process id flag is set)
 *
 * Exit status: 0 when every line was printed, 2 on a usage or I/O error.
 * Built by writer/tests/oracle_wine.rs with x86_64-w64-mingw32-gcc and run
 * under Wine, so the answers come from Wine's dbghelp.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>

static void details(ULONG type, const void *p, ULONG size)
{
    switch (type) {
    case ThreadListStream:
        if (size >= sizeof(ULONG)) {
            const MINIDUMP_THREAD_LIST *t = p;
            printf(" threads=%lu", (unsigned long)t->NumberOfThreads);
            if (t->NumberOfThreads > 0 && size >= sizeof(ULONG) + sizeof(MINIDUMP_THREAD))
                printf(" first_tid=0x%lx", (unsigned long)t->Threads[0].ThreadId);
        }
        break;
    case ModuleListStream:
        if (size >= sizeof(ULONG)) {
            const MINIDUMP_MODULE_LIST *m = p;
            printf(" modules=%lu", (unsigned long)m->NumberOfModules);
            if (m->NumberOfModules > 0 && size >= sizeof(ULONG) + sizeof(MINIDUMP_MODULE))
                printf(" first_base=0x%llx", (unsigned long long)m->Modules[0].BaseOfImage);
        }
        break;
    case MemoryListStream:
        if (size >= sizeof(ULONG)) {
            const MINIDUMP_MEMORY_LIST *m = p;
            printf(" ranges=%lu", (unsigned long)m->NumberOfMemoryRanges);
            if (m->NumberOfMemoryRanges > 0 && size >= sizeof(ULONG) + sizeof(MINIDUMP_MEMORY_DESCRIPTOR))
                printf(" first_start=0x%llx", (unsigned long long)m->MemoryRanges[0].StartOfMemoryRange);
        }
        break;
    case ExceptionStream:
        if (size >= sizeof(MINIDUMP_EXCEPTION_STREAM)) {
            const MINIDUMP_EXCEPTION_STREAM *e = p;
            printf(" tid=0x%lx code=0x%lx", (unsigned long)e->ThreadId,
                   (unsigned long)e->ExceptionRecord.ExceptionCode);
        }
        break;
    case SystemInfoStream:
        if (size >= sizeof(MINIDUMP_SYSTEM_INFO)) {
            const MINIDUMP_SYSTEM_INFO *s = p;
            printf(" arch=%u platform=%lu", (unsigned)s->ProcessorArchitecture, (unsigned long)s->PlatformId);
        }
        break;
    case MiscInfoStream:
        if (size >= sizeof(MINIDUMP_MISC_INFO)) {
            const MINIDUMP_MISC_INFO *m = p;
            if (m->Flags1 & MINIDUMP_MISC1_PROCESS_ID)
                printf(" pid=%lu", (unsigned long)m->ProcessId);
        }
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dumpstreams DUMP TYPE...\n");
        return 2;
    }
    HANDLE file = CreateFileA(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "CreateFile %s: error %lu\n", argv[1], (unsigned long)GetLastError());
        return 2;
    }
    HANDLE mapping = CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL);
    if (!mapping) {
        fprintf(stderr, "CreateFileMapping: error %lu\n", (unsigned long)GetLastError());
        return 2;
    }
    void *base = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (!base) {
        fprintf(stderr, "MapViewOfFile: error %lu\n", (unsigned long)GetLastError());
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        ULONG type = strtoul(argv[i], NULL, 0);
        MINIDUMP_DIRECTORY *dir = NULL;
        void *stream = NULL;
        ULONG size = 0;
        if (!MiniDumpReadDumpStream(base, type, &dir, &stream, &size)) {
            printf("stream %lu found=0\n", (unsigned long)type);
            continue;
        }
        printf("stream %lu found=1 size=%lu dirsize=%lu", (unsigned long)type, (unsigned long)size,
               dir ? (unsigned long)dir->Location.DataSize : 0UL);
        details(type, stream, size);
        printf("\n");
    }
    fflush(stdout);
    UnmapViewOfFile(base);
    CloseHandle(mapping);
    CloseHandle(file);
    return 0;
}
