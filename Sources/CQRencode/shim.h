#ifndef MYDIA_CQRENCODE_SHIM_H
#define MYDIA_CQRENCODE_SHIM_H
// libqrencode, imported as a whole: QRcode_encodeString and QRcode_free are all we call.
#include <qrencode.h>
#endif
