#ifndef MYDIA_CCHAFA_SHIM_H
#define MYDIA_CCHAFA_SHIM_H
// libchafa, opened with dlopen when the first poster is drawn (`mydia_chafa_load`), so the
// programs and modes that never draw one (play, ls, login, the proxy) do not map it and GLib.
// Not linked, and not compiled against chafa.h (which needs GLib's include paths, and with them
// pkg-config's -lchafa -lglib-2.0 on every program): the part of libchafa 1.12's ABI the encoder
// uses is declared here — opaque handles, the enum values (copied from chafa-canvas-config.h,
// chafa-common.h, chafa-symbol-map.h) and GLib's GString layout. libchafa keeps this ABI
// within its soname, libchafa.so.0.
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MYDIA_LIBCHAFA_SONAME "libchafa.so.0"

typedef struct ChafaCanvasConfig ChafaCanvasConfig;
typedef struct ChafaCanvas ChafaCanvas;
typedef struct ChafaSymbolMap ChafaSymbolMap;
typedef struct ChafaTermDb ChafaTermDb;
typedef struct ChafaTermInfo ChafaTermInfo;

// GLib's GString (glib/gstring.h).
typedef struct {
    char *str;
    size_t len;
    size_t allocated_len;
} GString;

typedef enum {
    CHAFA_CANVAS_MODE_TRUECOLOR = 0,
    CHAFA_CANVAS_MODE_INDEXED_240 = 2,
    CHAFA_CANVAS_MODE_INDEXED_8 = 6,
} ChafaCanvasMode;

typedef enum {
    CHAFA_PIXEL_MODE_SYMBOLS = 0,
    CHAFA_PIXEL_MODE_SIXELS = 1,
    CHAFA_PIXEL_MODE_KITTY = 2,
} ChafaPixelMode;

typedef enum {
    CHAFA_OPTIMIZATION_NONE = 0,
    CHAFA_OPTIMIZATION_ALL = 0x7fffffff,
} ChafaOptimizations;

typedef enum {
    CHAFA_PIXEL_RGBA8_UNASSOCIATED = 4,
} ChafaPixelType;

typedef enum {
    CHAFA_SYMBOL_TAG_SPACE = (1 << 0),
    CHAFA_SYMBOL_TAG_BLOCK = (1 << 3),
    CHAFA_SYMBOL_TAG_WIDE = (1 << 18),
    CHAFA_SYMBOL_TAG_AMBIGUOUS = (1 << 19),
} ChafaSymbolTags;

// The functions the encoder calls (chafa's prototypes, GLib's gint/gfloat/gunichar spelled out),
// plus GLib's g_string_free for what chafa_canvas_print returns.
struct mydia_chafa {
    ChafaCanvasConfig *(* _Nonnull chafa_canvas_config_new)(void);
    void (* _Nonnull chafa_canvas_config_unref)(ChafaCanvasConfig *config);
    void (* _Nonnull chafa_canvas_config_set_geometry)(ChafaCanvasConfig *config, int width, int height);
    void (* _Nonnull chafa_canvas_config_set_cell_geometry)(ChafaCanvasConfig *config, int cell_width, int cell_height);
    void (* _Nonnull chafa_canvas_config_set_canvas_mode)(ChafaCanvasConfig *config, ChafaCanvasMode mode);
    void (* _Nonnull chafa_canvas_config_set_pixel_mode)(ChafaCanvasConfig *config, ChafaPixelMode pixel_mode);
    void (* _Nonnull chafa_canvas_config_set_work_factor)(ChafaCanvasConfig *config, float work_factor);
    void (* _Nonnull chafa_canvas_config_set_optimizations)(ChafaCanvasConfig *config, ChafaOptimizations optimizations);
    void (* _Nonnull chafa_canvas_config_set_symbol_map)(ChafaCanvasConfig *config, const ChafaSymbolMap *symbol_map);
    ChafaSymbolMap *(* _Nonnull chafa_symbol_map_new)(void);
    void (* _Nonnull chafa_symbol_map_unref)(ChafaSymbolMap *symbol_map);
    void (* _Nonnull chafa_symbol_map_add_by_tags)(ChafaSymbolMap *symbol_map, ChafaSymbolTags tags);
    void (* _Nonnull chafa_symbol_map_remove_by_tags)(ChafaSymbolMap *symbol_map, ChafaSymbolTags tags);
    ChafaCanvas *(* _Nonnull chafa_canvas_new)(const ChafaCanvasConfig *config);
    void (* _Nonnull chafa_canvas_unref)(ChafaCanvas *canvas);
    void (* _Nonnull chafa_canvas_draw_all_pixels)(ChafaCanvas *canvas, ChafaPixelType src_pixel_type, const uint8_t *src_pixels,
                                         int src_width, int src_height, int src_rowstride);
    uint32_t (* _Nonnull chafa_canvas_get_char_at)(ChafaCanvas *canvas, int x, int y);
    void (* _Nonnull chafa_canvas_get_raw_colors_at)(ChafaCanvas *canvas, int x, int y, int *fg_out, int *bg_out);
    GString *(* _Nonnull chafa_canvas_print)(ChafaCanvas *canvas, ChafaTermInfo *term_info);
    ChafaTermDb *(* _Nonnull chafa_term_db_get_default)(void);
    ChafaTermInfo *(* _Nonnull chafa_term_db_detect)(ChafaTermDb *term_db, char **envp);
    ChafaTermInfo *(* _Nonnull chafa_term_db_get_fallback_info)(ChafaTermDb *term_db);
    void (* _Nonnull chafa_term_info_supplement)(ChafaTermInfo *term_info, ChafaTermInfo *source);
    void (* _Nonnull chafa_term_info_unref)(ChafaTermInfo *term_info);
    char *(* _Nonnull g_string_free)(GString *string, int free_segment);
};

// Opens libchafa (GLib comes with it) and fills `api`. Returns 0, or -1 with dlerror's sentence
// in `error` (nothing stays open then). The library is never closed: the table lives as long as
// the program.
static inline int mydia_chafa_load(struct mydia_chafa *api, char *error, size_t error_capacity) {
    void *lib = dlopen(MYDIA_LIBCHAFA_SONAME, RTLD_NOW | RTLD_LOCAL);
    int ok = lib != NULL;
#define MYDIA_CHAFA_SYMBOL(name) \
    if (ok && !(*(void **)&api->name = dlsym(lib, #name))) ok = 0;
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_new)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_unref)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_geometry)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_cell_geometry)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_canvas_mode)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_pixel_mode)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_work_factor)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_optimizations)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_config_set_symbol_map)
    MYDIA_CHAFA_SYMBOL(chafa_symbol_map_new)
    MYDIA_CHAFA_SYMBOL(chafa_symbol_map_unref)
    MYDIA_CHAFA_SYMBOL(chafa_symbol_map_add_by_tags)
    MYDIA_CHAFA_SYMBOL(chafa_symbol_map_remove_by_tags)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_new)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_unref)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_draw_all_pixels)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_get_char_at)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_get_raw_colors_at)
    MYDIA_CHAFA_SYMBOL(chafa_canvas_print)
    MYDIA_CHAFA_SYMBOL(chafa_term_db_get_default)
    MYDIA_CHAFA_SYMBOL(chafa_term_db_detect)
    MYDIA_CHAFA_SYMBOL(chafa_term_db_get_fallback_info)
    MYDIA_CHAFA_SYMBOL(chafa_term_info_supplement)
    MYDIA_CHAFA_SYMBOL(chafa_term_info_unref)
    // GLib is one of libchafa's own dependencies: dlsym on libchafa's handle searches them too.
    MYDIA_CHAFA_SYMBOL(g_string_free)
#undef MYDIA_CHAFA_SYMBOL
    if (ok) return 0;
    const char *why = dlerror();
    if (error && error_capacity) { strncpy(error, why ? why : "unknown error", error_capacity - 1); error[error_capacity - 1] = 0; }
    if (lib) dlclose(lib);
    memset(api, 0, sizeof *api);
    return -1;
}

// The terminal description chafa writes its sequences with: what `envp` (NULL-terminated
// "NAME=value" strings) identifies, supplemented with the fallback's sequences for the rest
// (as the chafa command does). Free with chafa_term_info_unref.
static inline ChafaTermInfo *mydia_term_info(const struct mydia_chafa *api, char **envp) {
    ChafaTermDb *db = api->chafa_term_db_get_default();
    ChafaTermInfo *info = api->chafa_term_db_detect(db, envp);
    ChafaTermInfo *fallback = api->chafa_term_db_get_fallback_info(db);
    api->chafa_term_info_supplement(info, fallback);
    api->chafa_term_info_unref(fallback);
    return info;
}
#endif
