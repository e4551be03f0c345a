#ifndef MYDIA_CIMAGECODECS_SHIM_H
#define MYDIA_CIMAGECODECS_SHIM_H
// Image decoders from Debian: libjpeg-turbo, libpng (its simplified API) and libwebp. Each helper
// decodes a whole file held in memory to 8-bit RGBA (straight alpha) in a malloc'ed buffer the
// caller frees with free(). libjpeg reports errors by longjmp, which Swift cannot catch: the jump
// lands here. Every helper returns 0 on success, else a negative code and a message in `error`.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdint.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

struct mydia_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void mydia_jpeg_error_exit(j_common_ptr cinfo) {
    struct mydia_jpeg_error *e = (struct mydia_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}
static void mydia_jpeg_quiet(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }

// JPEG → RGBA. `min_side` > 0 lets libjpeg scale by 1/2, 1/4 or 1/8 in the DCT while both sides
// stay at least that large (a poster for the terminal needs a few hundred pixels, not thousands).
static inline int mydia_decode_jpeg(const uint8_t *data, size_t length, int min_side, uint8_t **out, int *width, int *height,
                                    char *error, size_t error_capacity) {
    struct jpeg_decompress_struct cinfo;
    struct mydia_jpeg_error jerr;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&jerr, 0, sizeof jerr);
    cinfo.err = jpeg_std_error(&jerr.base);
    jerr.base.error_exit = mydia_jpeg_error_exit;
    jerr.base.emit_message = mydia_jpeg_quiet;
    if (setjmp(jerr.jump)) {
        if (error && error_capacity) { strncpy(error, jerr.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    if (min_side > 0) {
        unsigned denom = 1;
        while (denom < 8 && cinfo.image_width / (denom * 2) >= (unsigned)min_side && cinfo.image_height / (denom * 2) >= (unsigned)min_side) denom *= 2;
        cinfo.scale_num = 1;
        cinfo.scale_denom = denom;
    }
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    if (w <= 0 || h <= 0 || cinfo.output_components != 3 || (size_t)w * (size_t)h > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "unsupported JPEG (%dx%d, %d components)", w, h, cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return -2;
    }
    pixels = malloc((size_t)w * (size_t)h * 4);
    row = malloc((size_t)w * 3);
    if (!pixels || !row) {
        if (error && error_capacity) snprintf(error, error_capacity, "out of memory");
        jpeg_destroy_decompress(&cinfo);
        free(pixels); free(row);
        return -3;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = { row };
        unsigned y = cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, rows, 1);
        uint8_t *dst = pixels + (size_t)y * (size_t)w * 4;
        for (int x = 0; x < w; x++) {
            dst[x * 4] = row[x * 3]; dst[x * 4 + 1] = row[x * 3 + 1]; dst[x * 4 + 2] = row[x * 3 + 2]; dst[x * 4 + 3] = 255;
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    *out = pixels; *width = w; *height = h;
    return 0;
}

// PNG → RGBA through libpng's simplified API (no longjmp reaches the caller).
static inline int mydia_decode_png(const uint8_t *data, size_t length, uint8_t **out, int *width, int *height,
                                   char *error, size_t error_capacity) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, length)) {
        if (error && error_capacity) { strncpy(error, image.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        png_image_free(&image);
        return -1;
    }
    image.format = PNG_FORMAT_RGBA;
    if (image.width == 0 || image.height == 0 || (size_t)image.width * (size_t)image.height > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "unsupported PNG size %ux%u", image.width, image.height);
        png_image_free(&image);
        return -2;
    }
    uint8_t *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) { png_image_free(&image); if (error && error_capacity) snprintf(error, error_capacity, "out of memory"); return -3; }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        if (error && error_capacity) { strncpy(error, image.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        free(pixels);
        png_image_free(&image);
        return -1;
    }
    *out = pixels; *width = (int)image.width; *height = (int)image.height;
    return 0;
}

// WebP → RGBA. The buffer comes from WebPDecodeRGBA; it is copied to a malloc'ed one so every
// helper's result is freed the same way.
static inline int mydia_decode_webp(const uint8_t *data, size_t length, uint8_t **out, int *width, int *height,
                                    char *error, size_t error_capacity) {
    int w = 0, h = 0;
    if (!WebPGetInfo(data, length, &w, &h) || w <= 0 || h <= 0 || (size_t)w * (size_t)h > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "not a WebP image libwebp can read");
        return -1;
    }
    uint8_t *decoded = WebPDecodeRGBA(data, length, &w, &h);
    if (!decoded) { if (error && error_capacity) snprintf(error, error_capacity, "WebP decoding failed"); return -1; }
    uint8_t *pixels = malloc((size_t)w * (size_t)h * 4);
    if (!pixels) { WebPFree(decoded); if (error && error_capacity) snprintf(error, error_capacity, "out of memory"); return -3; }
    memcpy(pixels, decoded, (size_t)w * (size_t)h * 4);
    WebPFree(decoded);
    *out = pixels; *width = w; *height = h;
    return 0;
}
#endif
