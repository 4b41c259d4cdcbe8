# lzw-compress.py - compress(1) .Z output (LZW, block mode, 16 bits) for
# the batched-SMTP tests, where no compress program is installed; checked
# against uncompress in t8400.
import sys
data = sys.stdin.buffer.read()
maxbits = 16
out = bytearray(b'\x1f\x9d' + bytes([0x80 | maxbits]))
st = {'nbits': 9, 'buf': 0, 'nb': 0, 'bytes': 0, 'k': 0, 'dfree': 257}
def put(code):
    st['buf'] |= code << st['nb']; st['nb'] += st['nbits']
    while st['nb'] >= 8:
        out.append(st['buf'] & 255); st['buf'] >>= 8; st['nb'] -= 8; st['bytes'] += 1
    if st['k'] >= 1 and st['dfree'] < (1 << maxbits):
        st['dfree'] += 1
    st['k'] += 1
    if st['dfree'] >= (1 << st['nbits']) and st['nbits'] < maxbits:
        if st['nb'] > 0:
            out.append(st['buf'] & 255); st['buf'] = 0; st['nb'] = 0; st['bytes'] += 1
        while st['bytes'] % st['nbits']:
            out.append(0); st['bytes'] += 1
        st['bytes'] = 0; st['nbits'] += 1
d = {bytes([i]): i for i in range(256)}
free = 257
w = b''
for c in data:
    wc = w + bytes([c])
    if wc in d:
        w = wc; continue
    put(d[w])
    if free < (1 << maxbits):
        d[wc] = free; free += 1
    w = bytes([c])
if w:
    put(d[w])
if st['nb'] > 0:
    out.append(st['buf'] & 255)
sys.stdout.buffer.write(out)
