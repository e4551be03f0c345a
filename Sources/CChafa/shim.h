#ifndef MYDIA_CCHAFA_SHIM_H
#define MYDIA_CCHAFA_SHIM_H
// libchafa (and the GLib types its API uses). SwiftPM takes the include paths from pkg-config
// `chafa` (which names glib-2.0's). The helpers below hide GLib's varargs and macros from Swift.
#include <chafa.h>
#include <string.h>

// The bytes of a GString, copied into `out` (at most `capacity`); returns the full length and
// frees the GString.
static inline size_t mydia_gstring_take(GString *s, char *out, size_t capacity) {
    size_t n = s->len;
    if (out && capacity > 0) memcpy(out, s->str, n < capacity ? n : capacity);
    g_string_free(s, TRUE);
    return n;
}
static inline size_t mydia_gstring_length(const GString *s) { return s->len; }
static inline const char *mydia_gstring_bytes(const GString *s) { return s->str; }
static inline void mydia_gstring_free(GString *s) { g_string_free(s, TRUE); }

// The terminal description chafa writes its sequences with: what `envp` (NULL-terminated
// "NAME=value" strings) identifies, supplemented with the fallback's sequences for the rest
// (as the chafa command does). Free with chafa_term_info_unref.
static inline ChafaTermInfo *mydia_term_info(char **envp) {
    ChafaTermDb *db = chafa_term_db_get_default();
    ChafaTermInfo *info = chafa_term_db_detect(db, envp);
    ChafaTermInfo *fallback = chafa_term_db_get_fallback_info(db);
    chafa_term_info_supplement(info, fallback);
    chafa_term_info_unref(fallback);
    return info;
}
#endif
