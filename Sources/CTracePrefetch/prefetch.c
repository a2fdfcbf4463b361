// CTracePrefetch — everything is the inline function in include/CTracePrefetch.h (SwiftPM needs a source file).
#include "CTracePrefetch.h"
