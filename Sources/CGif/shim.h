#ifndef CONVTRACE_CGIF_SHIM_H
#define CONVTRACE_CGIF_SHIM_H
#include <gif_lib.h>
#endif
