/*
 * vm.c — a small stack-based bytecode interpreter running a Collatz
 * program: the fetch/decode/dispatch loop of a guest interpreter (a policy
 * engine evaluating rules, a regex or expression VM) running inside wasm.
 *
 * Bytecode: one opcode byte, then for opcodes with an operand a 16-bit
 * little-endian immediate (a constant, a local index or an absolute jump
 * target).
 */
#include "kernel.h"

enum opcode {
    OP_HALT, /* return the top of the stack */
    OP_PUSH, /* imm: constant */
    OP_LOAD, /* imm: local */
    OP_STORE,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_AND,
    OP_SHR1,
    OP_EQ,
    OP_LT,
    OP_JMP, /* imm: target */
    OP_JZ,
    OP_INC, /* imm: local; locals[imm]++ without touching the stack */
    OP_MIX  /* acc = acc * 31 + top, acc in local 1 */
};

enum local { L_COUNT, L_ACC, L_I, L_X, L_STEPS, L_BASE, LOCALS };

#define STACK_SLOTS 64

/* Assembles one instruction into code; returns the next offset. */
static uint32_t emit(uint8_t *code, uint32_t at, enum opcode op, uint32_t imm)
{
    code[at++] = (uint8_t)op;
    switch (op) {
    case OP_PUSH:
    case OP_LOAD:
    case OP_STORE:
    case OP_JMP:
    case OP_JZ:
    case OP_INC:
        code[at++] = (uint8_t)imm;
        code[at++] = (uint8_t)(imm >> 8);
        break;
    default: break;
    }
    return at;
}

/*
 * for (i = 0; i < count; i++) {
 *     x = base + i; steps = 0;
 *     while (x != 1) { x = (x & 1) ? 3x + 1 : x >> 1; steps++; }
 *     acc = acc * 31 + steps;
 * }
 * return acc;
 *
 * A forward jump's target is not known when the jump is emitted, so it is
 * emitted with PATCH and rewritten in place once the target is known (every
 * jump has the same size, so nothing moves).
 */
static uint32_t assemble(uint8_t *code)
{
    enum { PATCH = 0 };
    uint32_t at = 0;
    uint32_t loop_i = at;
    at = emit(code, at, OP_LOAD, L_I);
    at = emit(code, at, OP_LOAD, L_COUNT);
    at = emit(code, at, OP_LT, 0);
    uint32_t exit_jump = at;
    at = emit(code, at, OP_JZ, PATCH);
    at = emit(code, at, OP_LOAD, L_BASE);
    at = emit(code, at, OP_LOAD, L_I);
    at = emit(code, at, OP_ADD, 0);
    at = emit(code, at, OP_STORE, L_X);
    at = emit(code, at, OP_PUSH, 0);
    at = emit(code, at, OP_STORE, L_STEPS);
    uint32_t loop_x = at;
    at = emit(code, at, OP_LOAD, L_X);
    at = emit(code, at, OP_PUSH, 1);
    at = emit(code, at, OP_EQ, 0);
    at = emit(code, at, OP_PUSH, 1);
    at = emit(code, at, OP_SUB, 0); /* 0 when x == 1: JZ leaves */
    uint32_t done_jump = at;
    at = emit(code, at, OP_JZ, PATCH);
    at = emit(code, at, OP_LOAD, L_X);
    at = emit(code, at, OP_PUSH, 1);
    at = emit(code, at, OP_AND, 0);
    uint32_t even_jump = at;
    at = emit(code, at, OP_JZ, PATCH);
    at = emit(code, at, OP_LOAD, L_X);
    at = emit(code, at, OP_PUSH, 3);
    at = emit(code, at, OP_MUL, 0);
    at = emit(code, at, OP_PUSH, 1);
    at = emit(code, at, OP_ADD, 0);
    at = emit(code, at, OP_STORE, L_X);
    uint32_t odd_done_jump = at;
    at = emit(code, at, OP_JMP, PATCH);
    uint32_t even = at;
    at = emit(code, at, OP_LOAD, L_X);
    at = emit(code, at, OP_SHR1, 0);
    at = emit(code, at, OP_STORE, L_X);
    uint32_t step = at;
    at = emit(code, at, OP_INC, L_STEPS);
    at = emit(code, at, OP_JMP, loop_x);
    uint32_t done_x = at;
    at = emit(code, at, OP_LOAD, L_STEPS);
    at = emit(code, at, OP_MIX, 0);
    at = emit(code, at, OP_INC, L_I);
    at = emit(code, at, OP_JMP, loop_i);
    uint32_t exit = at;
    at = emit(code, at, OP_LOAD, L_ACC);
    at = emit(code, at, OP_HALT, 0);

    emit(code, exit_jump, OP_JZ, exit);
    emit(code, done_jump, OP_JZ, done_x);
    emit(code, even_jump, OP_JZ, even);
    emit(code, odd_done_jump, OP_JMP, step);
    return at;
}

static uint32_t execute(const uint8_t *code, uint32_t *locals)
{
    uint32_t stack[STACK_SLOTS];
    uint32_t sp = 0; /* the program is balanced, so the stack never overflows */
    uint32_t pc = 0;
    for (;;) {
        uint8_t op = code[pc++];
        uint32_t imm = 0;
        if (op == OP_PUSH || op == OP_LOAD || op == OP_STORE || op == OP_JMP || op == OP_JZ ||
            op == OP_INC) {
            imm = (uint32_t)code[pc] | (uint32_t)code[pc + 1] << 8;
            pc += 2;
        }
        switch ((enum opcode)op) {
        case OP_HALT: return stack[sp - 1];
        case OP_PUSH: stack[sp++] = imm; break;
        case OP_LOAD: stack[sp++] = locals[imm]; break;
        case OP_STORE: locals[imm] = stack[--sp]; break;
        case OP_ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case OP_SUB:
            sp--;
            stack[sp - 1] -= stack[sp];
            break;
        case OP_MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case OP_AND:
            sp--;
            stack[sp - 1] &= stack[sp];
            break;
        case OP_SHR1: stack[sp - 1] >>= 1; break;
        case OP_EQ:
            sp--;
            stack[sp - 1] = stack[sp - 1] == stack[sp];
            break;
        case OP_LT:
            sp--;
            stack[sp - 1] = stack[sp - 1] < stack[sp];
            break;
        case OP_JMP: pc = imm; break;
        case OP_JZ:
            if (stack[--sp] == 0) pc = imm;
            break;
        case OP_INC: locals[imm]++; break;
        case OP_MIX: locals[L_ACC] = locals[L_ACC] * 31 + stack[--sp]; break;
        }
        if (sp >= STACK_SLOTS) return 0; /* unreachable with a correct program */
    }
}

uint32_t run(uint32_t n)
{
    uint8_t code[256];
    assemble(code);
    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) {
        uint32_t locals[LOCALS] = {0};
        locals[L_COUNT] = 200;
        /*
         * Start values stay below 100,000, whose Collatz trajectories all
         * peak below 2^32, so 32-bit arithmetic is exact.
         */
        locals[L_BASE] = 1 + (r * 200) % 99000;
        acc = kernel_mix(acc, execute(code, locals));
    }
    return acc;
}
