"""Reading and patching the headers of a little-endian ELF64 file, for the
tests that give 'miso check' hostile files: where the headers, the
sections and the dynamic entries are, and helpers to change them."""
import struct

SHT_DYNAMIC = 6


class Elf:
    def __init__(self, data):
        self.b = bytearray(data)
        (self.phoff, self.shoff) = struct.unpack_from("<QQ", self.b, 0x20)
        (self.phentsize, self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = struct.unpack_from("<HHHHH", self.b, 0x36)

    def shdr_at(self, i):
        return self.shoff + i * self.shentsize

    def shdr(self, i):
        f = struct.unpack_from("<IIQQQQIIQQ", self.b, self.shdr_at(i))
        keys = ("name", "type", "flags", "addr", "offset", "size", "link",
                "info", "addralign", "entsize")
        return dict(zip(keys, f))

    def sections(self):
        strtab = self.shdr(self.shstrndx)
        out = []
        for i in range(self.shnum):
            s = self.shdr(i)
            o = strtab["offset"] + s["name"]
            s["sname"] = bytes(self.b[o:self.b.index(0, o)]).decode()
            s["index"] = i
            out.append(s)
        return out

    def section(self, name):
        for s in self.sections():
            if s["sname"] == name:
                return s
        raise KeyError(name)

    def phdrs(self):
        out = []
        for i in range(self.phnum):
            at = self.phoff + i * self.phentsize
            t, fl, off, va, pa, fsz, msz, al = struct.unpack_from(
                "<IIQQQQQQ", self.b, at)
            out.append(dict(at=at, type=t, offset=off, filesz=fsz))
        return out

    def dynamic(self):
        """(file offset, tag, value) of each entry up to DT_NULL."""
        d = self.section(".dynamic")
        out = []
        for at in range(d["offset"], d["offset"] + d["size"], 16):
            tag, val = struct.unpack_from("<qQ", self.b, at)
            if tag == 0:
                break
            out.append((at, tag, val))
        return out

    def needed(self):
        """(file offset of the string, name) of each DT_NEEDED."""
        strs = self.section(".dynstr")["offset"]
        out = []
        for at, tag, val in self.dynamic():
            if tag == 1:
                o = strs + val
                out.append((o, bytes(self.b[o:self.b.index(0, o)])))
        return out


def load(path):
    with open(path, "rb") as f:
        return Elf(f.read())


def save(e, path):
    with open(path, "wb") as f:
        f.write(e.b)
