/*
 * correu umbrella header: includes every public header of the layers this
 * installation carries. Each header also compiles on its own.
 */
#ifndef CORREU_H
#define CORREU_H

#include "correu/common.h"
#if defined(__has_include)
#if __has_include("correu/codec.h")
#include "correu/codec.h"
#endif
#if __has_include("correu/sasl.h")
#include "correu/sasl.h"
#endif
#if __has_include("correu/transport.h")
#include "correu/transport.h"
#endif
#endif

#endif
