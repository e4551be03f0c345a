#ifndef MYDIA_CSODIUM_SHIM_H
#define MYDIA_CSODIUM_SHIM_H
// libsodium, imported as a whole. Its API is plain functions and constants, so no wrappers are needed.
#include <sodium.h>
#endif
