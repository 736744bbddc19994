/*
 * crc32.c — table-driven CRC-32 (the reflected 0xEDB88320 polynomial used by
 * zlib and Ethernet) over a generated buffer: one table load per byte, the
 * shape of checksumming and lookup-table decoding.
 */
#include "kernel.h"

#define BUFFER_BYTES 65536u

static uint8_t buffer[BUFFER_BYTES];
static uint32_t table[256];

/* Built on every call so the work is included and no state outlives a call. */
static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t len)
{
    crc = ~crc;
    for (uint32_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t run(uint32_t n)
{
    build_table();
    uint32_t seed = 0x6b8b4567u;
    for (uint32_t i = 0; i < BUFFER_BYTES; i++)
        buffer[i] = (uint8_t)kernel_rand(&seed);

    uint32_t crc = 0;
    for (uint32_t r = 0; r < n; r++) {
        /* Continue the same CRC stream over a slightly shifted window each round. */
        uint32_t skip = r & 255;
        crc = crc32_update(crc, buffer + skip, BUFFER_BYTES - skip);
    }
    return crc;
}
