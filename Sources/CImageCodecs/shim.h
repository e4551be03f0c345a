#ifndef MYDIA_CIMAGECODECS_SHIM_H
#define MYDIA_CIMAGECODECS_SHIM_H
// Image decoders from Debian: libjpeg-turbo, libpng (its simplified API) and libwebp. They are not
// linked: `mydia_codecs_load` opens them with dlopen when the first poster is decoded, so the
// programs and modes that never show one (play, ls, login, the proxy) do not map them. The
// headers only give the types; every call goes through the `mydia_codecs` table, whose entries
// have the headers' own prototypes (`__typeof__`).
// Each helper decodes a whole file held in memory to 8-bit RGBA (straight alpha) in a malloc'ed
// buffer the caller frees with free(). libjpeg reports errors by longjmp, which Swift cannot
// catch: the jump lands here. Every helper returns 0 on success, else a negative code and a
// message in `error`.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdint.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>

// The sonames of the Debian packages libjpeg62-turbo, libpng16-16 and libwebp7.
#define MYDIA_LIBJPEG_SONAME "libjpeg.so.62"
#define MYDIA_LIBPNG_SONAME "libpng16.so.16"
#define MYDIA_LIBWEBP_SONAME "libwebp.so.7"

// The decoder functions the helpers call, looked up in the opened libraries.
struct mydia_codecs {
    __typeof__(jpeg_std_error) *jpeg_std_error;
    __typeof__(jpeg_CreateDecompress) *jpeg_CreateDecompress;
    __typeof__(jpeg_mem_src) *jpeg_mem_src;
    __typeof__(jpeg_read_header) *jpeg_read_header;
    __typeof__(jpeg_start_decompress) *jpeg_start_decompress;
    __typeof__(jpeg_read_scanlines) *jpeg_read_scanlines;
    __typeof__(jpeg_finish_decompress) *jpeg_finish_decompress;
    __typeof__(jpeg_destroy_decompress) *jpeg_destroy_decompress;
    __typeof__(png_image_begin_read_from_memory) *png_image_begin_read_from_memory;
    __typeof__(png_image_finish_read) *png_image_finish_read;
    __typeof__(png_image_free) *png_image_free;
    __typeof__(WebPGetInfo) *WebPGetInfo;
    __typeof__(WebPDecodeRGBA) *WebPDecodeRGBA;
    __typeof__(WebPFree) *WebPFree;
};

static inline void mydia_codecs_note(char *error, size_t capacity, const char *what) {
    if (error && capacity) { strncpy(error, what ? what : "unknown error", capacity - 1); error[capacity - 1] = 0; }
}

// Opens the three libraries and fills `api`. Returns 0, or -1 with dlerror's sentence in `error`
// (nothing stays open then). The libraries are never closed: the table lives as long as the program.
static inline int mydia_codecs_load(struct mydia_codecs *api, char *error, size_t error_capacity) {
    void *jpeg = dlopen(MYDIA_LIBJPEG_SONAME, RTLD_NOW | RTLD_LOCAL);
    void *png = jpeg ? dlopen(MYDIA_LIBPNG_SONAME, RTLD_NOW | RTLD_LOCAL) : NULL;
    void *webp = png ? dlopen(MYDIA_LIBWEBP_SONAME, RTLD_NOW | RTLD_LOCAL) : NULL;
    int ok = webp != NULL;
#define MYDIA_CODEC_SYMBOL(lib, name) \
    if (ok && !(*(void **)&api->name = dlsym(lib, #name))) ok = 0;
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_std_error)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_CreateDecompress)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_mem_src)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_read_header)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_start_decompress)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_read_scanlines)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_finish_decompress)
    MYDIA_CODEC_SYMBOL(jpeg, jpeg_destroy_decompress)
    MYDIA_CODEC_SYMBOL(png, png_image_begin_read_from_memory)
    MYDIA_CODEC_SYMBOL(png, png_image_finish_read)
    MYDIA_CODEC_SYMBOL(png, png_image_free)
    MYDIA_CODEC_SYMBOL(webp, WebPGetInfo)
    MYDIA_CODEC_SYMBOL(webp, WebPDecodeRGBA)
    MYDIA_CODEC_SYMBOL(webp, WebPFree)
#undef MYDIA_CODEC_SYMBOL
    if (ok) return 0;
    mydia_codecs_note(error, error_capacity, dlerror());
    if (webp) dlclose(webp);
    if (png) dlclose(png);
    if (jpeg) dlclose(jpeg);
    memset(api, 0, sizeof *api);
    return -1;
}

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
static inline int mydia_decode_jpeg(const struct mydia_codecs *api, const uint8_t *data, size_t length, int min_side, uint8_t **out, int *width, int *height,
                                    char *error, size_t error_capacity) {
    struct jpeg_decompress_struct cinfo;
    struct mydia_jpeg_error jerr;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&jerr, 0, sizeof jerr);
    cinfo.err = api->jpeg_std_error(&jerr.base);
    jerr.base.error_exit = mydia_jpeg_error_exit;
    jerr.base.emit_message = mydia_jpeg_quiet;
    if (setjmp(jerr.jump)) {
        if (error && error_capacity) { strncpy(error, jerr.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        api->jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        return -1;
    }
    api->jpeg_CreateDecompress(&cinfo, JPEG_LIB_VERSION, sizeof cinfo);
    api->jpeg_mem_src(&cinfo, data, (unsigned long)length);
    api->jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    if (min_side > 0) {
        unsigned denom = 1;
        while (denom < 8 && cinfo.image_width / (denom * 2) >= (unsigned)min_side && cinfo.image_height / (denom * 2) >= (unsigned)min_side) denom *= 2;
        cinfo.scale_num = 1;
        cinfo.scale_denom = denom;
    }
    api->jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    if (w <= 0 || h <= 0 || cinfo.output_components != 3 || (size_t)w * (size_t)h > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "unsupported JPEG (%dx%d, %d components)", w, h, cinfo.output_components);
        api->jpeg_destroy_decompress(&cinfo);
        return -2;
    }
    pixels = malloc((size_t)w * (size_t)h * 4);
    row = malloc((size_t)w * 3);
    if (!pixels || !row) {
        if (error && error_capacity) snprintf(error, error_capacity, "out of memory");
        api->jpeg_destroy_decompress(&cinfo);
        free(pixels); free(row);
        return -3;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = { row };
        unsigned y = cinfo.output_scanline;
        api->jpeg_read_scanlines(&cinfo, rows, 1);
        uint8_t *dst = pixels + (size_t)y * (size_t)w * 4;
        for (int x = 0; x < w; x++) {
            dst[x * 4] = row[x * 3]; dst[x * 4 + 1] = row[x * 3 + 1]; dst[x * 4 + 2] = row[x * 3 + 2]; dst[x * 4 + 3] = 255;
        }
    }
    api->jpeg_finish_decompress(&cinfo);
    api->jpeg_destroy_decompress(&cinfo);
    free(row);
    *out = pixels; *width = w; *height = h;
    return 0;
}

// PNG → RGBA through libpng's simplified API (no longjmp reaches the caller).
static inline int mydia_decode_png(const struct mydia_codecs *api, const uint8_t *data, size_t length, uint8_t **out, int *width, int *height,
                                   char *error, size_t error_capacity) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!api->png_image_begin_read_from_memory(&image, data, length)) {
        if (error && error_capacity) { strncpy(error, image.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        api->png_image_free(&image);
        return -1;
    }
    image.format = PNG_FORMAT_RGBA;
    if (image.width == 0 || image.height == 0 || (size_t)image.width * (size_t)image.height > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "unsupported PNG size %ux%u", image.width, image.height);
        api->png_image_free(&image);
        return -2;
    }
    uint8_t *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) { api->png_image_free(&image); if (error && error_capacity) snprintf(error, error_capacity, "out of memory"); return -3; }
    if (!api->png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        if (error && error_capacity) { strncpy(error, image.message, error_capacity - 1); error[error_capacity - 1] = 0; }
        free(pixels);
        api->png_image_free(&image);
        return -1;
    }
    *out = pixels; *width = (int)image.width; *height = (int)image.height;
    return 0;
}

// WebP → RGBA. The buffer comes from WebPDecodeRGBA; it is copied to a malloc'ed one so every
// helper's result is freed the same way.
static inline int mydia_decode_webp(const struct mydia_codecs *api, const uint8_t *data, size_t length, uint8_t **out, int *width, int *height,
                                    char *error, size_t error_capacity) {
    int w = 0, h = 0;
    if (!api->WebPGetInfo(data, length, &w, &h) || w <= 0 || h <= 0 || (size_t)w * (size_t)h > 64u * 1024u * 1024u) {
        if (error && error_capacity) snprintf(error, error_capacity, "not a WebP image libwebp can read");
        return -1;
    }
    uint8_t *decoded = api->WebPDecodeRGBA(data, length, &w, &h);
    if (!decoded) { if (error && error_capacity) snprintf(error, error_capacity, "WebP decoding failed"); return -1; }
    uint8_t *pixels = malloc((size_t)w * (size_t)h * 4);
    if (!pixels) { api->WebPFree(decoded); if (error && error_capacity) snprintf(error, error_capacity, "out of memory"); return -3; }
    memcpy(pixels, decoded, (size_t)w * (size_t)h * 4);
    api->WebPFree(decoded);
    *out = pixels; *width = w; *height = h;
    return 0;
}
#endif
