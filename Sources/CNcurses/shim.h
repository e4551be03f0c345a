#ifndef MYDIA_CNCURSES_SHIM_H
#define MYDIA_CNCURSES_SHIM_H
// Wide-character ncurses. SwiftPM drops pkg-config's -D flags, so the feature macros are set here.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

// Swift cannot import function-like macros, and Swift 6 rejects ncurses' mutable globals
// (stdscr, LINES, COLS, COLORS, COLOR_PAIRS). These static inline functions stand in for them.
static inline WINDOW *mydia_stdscr(void) { return stdscr; }
static inline int mydia_lines(void) { return LINES; }
static inline int mydia_cols(void) { return COLS; }
static inline int mydia_colors(void) { return COLORS; }
static inline int mydia_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t mydia_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }
static inline int mydia_pair_number(attr_t a) { return PAIR_NUMBER(a); }
static inline void mydia_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline attr_t mydia_a_bold(void) { return A_BOLD; }
static inline attr_t mydia_a_reverse(void) { return A_REVERSE; }
static inline attr_t mydia_a_dim(void) { return A_DIM; }
static inline attr_t mydia_a_underline(void) { return A_UNDERLINE; }
static inline attr_t mydia_a_normal(void) { return A_NORMAL; }
static inline int mydia_key_resize(void) { return KEY_RESIZE; }
static inline int mydia_key_f(int n) { return KEY_F(n); }
static inline int mydia_ctrl(int c) { return c & 0x1f; }
// The mouse: presses of button 1 and the wheel (buttons 4 and 5), reported at once (no click timing).
static inline int mydia_key_mouse(void) { return KEY_MOUSE; }
static inline void mydia_enable_mouse(void) {
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
}
// The pending mouse event: 1 button 1, 2 wheel up, 3 wheel down, 0 anything else; cell in y, x.
static inline int mydia_mouse_event(int *y, int *x) {
    MEVENT e;
    if (getmouse(&e) != OK) return 0;
    *y = e.y;
    *x = e.x;
    if (e.bstate & BUTTON4_PRESSED) return 2;
    if (e.bstate & BUTTON5_PRESSED) return 3;
    if (e.bstate & BUTTON1_PRESSED) return 1;
    return 0;
}
// Display width of one wide character (-1 for non-printable), as the terminal will draw it.
static inline int mydia_wcwidth(wchar_t c) { return wcwidth(c); }

// A screen on explicit file descriptors (initscr would exit the process when the terminal is
// unusable; newterm returns NULL instead). The FILE streams are owned by curses until mydia_endterm.
static inline SCREEN *mydia_newterm_fd(const char *term, int in_fd, int out_fd, FILE **in_file, FILE **out_file) {
    FILE *out = fdopen(out_fd, "w");
    FILE *in = fdopen(in_fd, "r");
    if (!out || !in) { if (out) fclose(out); if (in) fclose(in); return NULL; }
    SCREEN *s = newterm(term, out, in);
    if (!s) { fclose(out); fclose(in); return NULL; }
    *in_file = in; *out_file = out;
    return s;
}
static inline void mydia_endterm(SCREEN *s, FILE *in, FILE *out) {
    endwin();
    delscreen(s);
    if (out) fclose(out);
    if (in) fclose(in);
}
static inline int mydia_key_code_yes(void) { return KEY_CODE_YES; }
static inline int mydia_err(void) { return ERR; }

#endif
