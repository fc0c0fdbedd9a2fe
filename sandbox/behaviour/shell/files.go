package shell

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// splitFlags separates short options (combined or not) from operands, as
// the GNU tools accept them: options may follow operands, "--" ends them.
func splitFlags(args []string) (flags string, long []string, operands []string) {
	done := false
	for _, a := range args {
		switch {
		case done || a == "-" || !strings.HasPrefix(a, "-"):
			operands = append(operands, a)
		case a == "--":
			done = true
		case strings.HasPrefix(a, "--"):
			long = append(long, a)
		default:
			flags += a[1:]
		}
	}
	return flags, long, operands
}

// errText is how the GNU tools print an errno.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT:
			return "No such file or directory"
		case syscall.ENOTDIR:
			return "Not a directory"
		case syscall.EISDIR:
			return "Is a directory"
		case syscall.EEXIST:
			return "File exists"
		case syscall.ENOTEMPTY:
			return "Directory not empty"
		case syscall.ENOSPC:
			return "No space left on device"
		case syscall.EPIPE:
			return "Broken pipe"
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return "Permission denied"
	}
	return err.Error()
}

func cmdMkdir(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	parents := strings.Contains(flags, "p")
	if len(ops) == 0 {
		c.errorf("missing operand")
		return 1
	}
	status := 0
	for _, o := range ops {
		var err error
		if parents {
			err = c.p.m.cfg.FS.MkdirAll(c.abs(o), 0o755)
		} else {
			err = c.p.m.cfg.FS.Mkdir(c.abs(o), 0o755)
		}
		if err != nil {
			c.errorf("cannot create directory ‘%s’: %s", o, errText(err))
			status = 1
		}
	}
	return status
}

func cmdTouch(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	_, _, ops := splitFlags(c.args[1:])
	if len(ops) == 0 {
		c.errorf("missing file operand")
		return 1
	}
	status := 0
	for _, o := range ops {
		full := c.abs(o)
		_, statErr := c.p.m.cfg.FS.Stat(full)
		if err := c.p.m.cfg.FS.Touch(full); err != nil {
			c.errorf("cannot touch ‘%s’: %s", o, errText(err))
			status = 1
			continue
		}
		if statErr != nil {
			c.p.record(fileEvent(full, "created", 0))
		}
	}
	return status
}

func cmdChmod(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	var mode string
	var files []string
	for _, a := range c.args[1:] {
		switch {
		case a == "-R" || a == "-f" || a == "-v" || a == "-c" || a == "--":
		case mode == "" && isMode(a):
			mode = a
		default:
			files = append(files, a)
		}
	}
	if mode == "" || len(files) == 0 {
		c.errorf("missing operand")
		return 1
	}
	status := 0
	for _, f := range files {
		full := c.abs(f)
		fi, err := c.p.m.cfg.FS.Stat(full)
		if err != nil {
			c.errorf("cannot access ‘%s’: %s", f, errText(err))
			status = 1
			continue
		}
		perm, ok := applyMode(fi.Mode().Perm(), mode, fi.IsDir())
		if !ok {
			c.errorf("invalid mode: ‘%s’", mode)
			return 1
		}
		if err := c.p.m.cfg.FS.Chmod(full, perm); err != nil {
			c.errorf("changing permissions of ‘%s’: %s", f, errText(err))
			status = 1
			continue
		}
		c.p.record(fileEvent(full, "chmod "+fmt.Sprintf("%o", perm), 0))
	}
	return status
}

func isMode(s string) bool {
	if s == "" {
		return false
	}
	if _, err := strconv.ParseUint(s, 8, 32); err == nil {
		return true
	}
	return strings.Trim(s, "ugoa+-=rwxXst,") == "" && strings.ContainsAny(s, "+-=")
}

// applyMode applies an octal or symbolic chmod mode.
func applyMode(cur fs.FileMode, mode string, dir bool) (fs.FileMode, bool) {
	if n, err := strconv.ParseUint(mode, 8, 32); err == nil {
		return fs.FileMode(n) & fs.ModePerm, true
	}
	m := cur
	for _, clause := range strings.Split(mode, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 {
			return cur, false
		}
		who, op, perms := clause[:i], clause[i], clause[i+1:]
		var mask fs.FileMode
		if who == "" || strings.Contains(who, "a") {
			mask = 0o777
		}
		if strings.Contains(who, "u") {
			mask |= 0o700
		}
		if strings.Contains(who, "g") {
			mask |= 0o070
		}
		if strings.Contains(who, "o") {
			mask |= 0o007
		}
		var bits fs.FileMode
		for _, r := range perms {
			switch r {
			case 'r':
				bits |= 0o444
			case 'w':
				bits |= 0o222
			case 'x':
				bits |= 0o111
			case 'X':
				if dir || m&0o111 != 0 {
					bits |= 0o111
				}
			}
		}
		bits &= mask
		switch op {
		case '+':
			m |= bits
		case '-':
			m &^= bits
		case '=':
			m = m&^mask | bits
		}
	}
	return m, true
}

func cmdChown(c *cmd) int {
	// Ownership is not modelled: everything belongs to root. The command
	// succeeds when its files exist.
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	_, _, ops := splitFlags(c.args[1:])
	status := 0
	for i, o := range ops {
		if i == 0 {
			continue
		}
		if _, err := c.p.m.cfg.FS.Stat(c.abs(o)); err != nil {
			c.errorf("cannot access ‘%s’: %s", o, errText(err))
			status = 1
		}
	}
	return status
}

func cmdRm(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	recursive := strings.ContainsAny(flags, "rR")
	force := strings.Contains(flags, "f")
	status := 0
	for _, o := range ops {
		full := c.abs(o)
		fi, err := c.p.m.cfg.FS.Stat(full)
		if err != nil {
			if !force {
				c.errorf("cannot remove ‘%s’: %s", o, errText(err))
				status = 1
			}
			continue
		}
		if fi.IsDir() && !recursive {
			c.errorf("cannot remove ‘%s’: Is a directory", o)
			status = 1
			continue
		}
		if full == "/" {
			c.errorf("it is dangerous to operate recursively on ‘/’")
			status = 1
			continue
		}
		if err := c.p.m.cfg.FS.RemoveAll(full); err != nil {
			c.errorf("cannot remove ‘%s’: %s", o, errText(err))
			status = 1
			continue
		}
		c.p.record(fileEvent(full, "removed", 0))
	}
	return status
}

func cmdCat(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	_, _, ops := splitFlags(c.args[1:])
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	status := 0
	for _, o := range ops {
		data, err := c.readInput(o)
		if err != nil {
			c.errorf("%s: %s", o, errText(err))
			status = 1
			continue
		}
		if _, err := c.stdout.Write(data); err != nil {
			c.errorf("write error: %s", errText(err))
			return 1
		}
	}
	return status
}

func cmdTee(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	data, _ := c.readInput("-")
	c.stdout.Write(data)
	status := 0
	for _, o := range ops {
		w, err := c.p.createFile(c.abs(o), strings.Contains(flags, "a"), 0o644)
		if err != nil {
			c.errorf("%s: %s", o, errText(err))
			status = 1
			continue
		}
		if _, err := w.Write(data); err != nil {
			c.errorf("%s: %s", o, errText(err))
			status = 1
		}
		w.Close()
	}
	return status
}

func cmdHead(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	lines, bytesN := 10, -1
	var files []string
	args := c.args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-n" || a == "-c") && i+1 < len(args):
			n, _ := strconv.Atoi(args[i+1])
			if a == "-n" {
				lines = n
			} else {
				bytesN = n
			}
			i++
		case strings.HasPrefix(a, "-n"):
			lines, _ = strconv.Atoi(a[2:])
		case strings.HasPrefix(a, "-c"):
			bytesN, _ = strconv.Atoi(a[2:])
		case len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9':
			lines, _ = strconv.Atoi(a[1:])
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		var data []byte
		var err error
		if bytesN >= 0 && f != "-" {
			var r io.ReadCloser
			r, err = c.p.openRead(c.hc, c.abs(f))
			if err == nil {
				data, err = io.ReadAll(io.LimitReader(r, int64(bytesN)))
				r.Close()
			}
		} else {
			data, err = c.readInput(f)
		}
		if err != nil {
			c.errorf("cannot open ‘%s’ for reading: %s", f, errText(err))
			return 1
		}
		if bytesN >= 0 {
			if len(data) > bytesN {
				data = data[:bytesN]
			}
		} else {
			idx, n := 0, 0
			for n < lines && idx < len(data) {
				j := strings.IndexByte(string(data[idx:]), '\n')
				if j < 0 {
					idx = len(data)
					break
				}
				idx += j + 1
				n++
			}
			data = data[:idx]
		}
		c.stdout.Write(data)
	}
	return 0
}

func cmdWc(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	for _, o := range ops {
		data, err := c.readInput(o)
		if err != nil {
			c.errorf("%s: %s", o, errText(err))
			return 1
		}
		l, w, b := strings.Count(string(data), "\n"), len(strings.Fields(string(data))), len(data)
		name := ""
		if o != "-" {
			name = " " + o
		}
		switch flags {
		case "l":
			fmt.Fprintf(c.stdout, "%d%s\n", l, name)
		case "w":
			fmt.Fprintf(c.stdout, "%d%s\n", w, name)
		case "c":
			fmt.Fprintf(c.stdout, "%d%s\n", b, name)
		default:
			fmt.Fprintf(c.stdout, "%7d %7d %7d%s\n", l, w, b, name)
		}
	}
	return 0
}

func cmdBase64(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, long, ops := splitFlags(c.args[1:])
	decode := strings.Contains(flags, "d")
	for _, l := range long {
		if l == "--decode" {
			decode = true
		}
	}
	name := "-"
	if len(ops) > 0 {
		name = ops[0]
	}
	data, err := c.readInput(name)
	if err != nil {
		c.errorf("%s: %s", name, errText(err))
		return 1
	}
	if decode {
		clean := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(data))
		out, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
		}
		c.stdout.Write(out)
		if err != nil {
			c.errorf("invalid input")
			return 1
		}
		return 0
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		io.WriteString(c.stdout, enc[:76]+"\n")
		enc = enc[76:]
	}
	if enc != "" || len(data) == 0 {
		io.WriteString(c.stdout, enc+"\n")
	}
	return 0
}

func cmdCp(c *cmd) int { return copyOrMove(c, false) }
func cmdMv(c *cmd) int { return copyOrMove(c, true) }

func copyOrMove(c *cmd, move bool) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	if len(ops) < 2 {
		c.errorf("missing file operand")
		return 1
	}
	dst := c.abs(ops[len(ops)-1])
	dstInfo, dstErr := c.p.m.cfg.FS.Stat(dst)
	status := 0
	for _, src := range ops[:len(ops)-1] {
		from := c.abs(src)
		fi, err := c.p.m.cfg.FS.Stat(from)
		if err != nil {
			c.errorf("cannot stat ‘%s’: %s", src, errText(err))
			status = 1
			continue
		}
		to := dst
		if dstErr == nil && dstInfo.IsDir() {
			to = path.Join(dst, path.Base(from))
		}
		if move {
			if err := c.p.m.cfg.FS.Rename(from, to); err != nil {
				c.errorf("cannot move ‘%s’ to ‘%s’: %s", src, ops[len(ops)-1], errText(err))
				status = 1
				continue
			}
			c.p.record(fileEvent(to, "renamed from "+from, fi.Size()))
			continue
		}
		if fi.IsDir() {
			if !strings.ContainsAny(flags, "rRa") {
				c.errorf("omitting directory ‘%s’", src)
				status = 1
			}
			continue
		}
		data, err := c.p.m.cfg.FS.ReadFile(from)
		if err == nil {
			var w io.WriteCloser
			if w, err = c.p.createFile(to, false, fi.Mode().Perm()); err == nil {
				_, err = w.Write(data)
				w.Close()
			}
		}
		if err != nil {
			c.errorf("cannot create regular file ‘%s’: %s", ops[len(ops)-1], errText(err))
			status = 1
		}
	}
	return status
}

func cmdLs(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	flags, _, ops := splitFlags(c.args[1:])
	if len(ops) == 0 {
		ops = []string{"."}
	}
	long := strings.Contains(flags, "l")
	all := strings.ContainsAny(flags, "aA")
	status := 0
	for _, o := range ops {
		full := c.abs(o)
		fi, err := c.p.m.cfg.FS.Stat(full)
		if err != nil {
			c.errorf("cannot access %s: %s", o, errText(err))
			status = 2
			continue
		}
		var infos []fs.FileInfo
		if fi.IsDir() {
			ents, _ := c.p.m.cfg.FS.ReadDir(full)
			for _, e := range ents {
				if !all && strings.HasPrefix(e.Name(), ".") {
					continue
				}
				if i, err := e.Info(); err == nil {
					infos = append(infos, i)
				}
			}
		} else {
			infos = []fs.FileInfo{fi}
		}
		for _, i := range infos {
			if !long {
				fmt.Fprintln(c.stdout, i.Name())
				continue
			}
			fmt.Fprintf(c.stdout, "%s 1 root root %5d %s %s\n", i.Mode().String(), i.Size(),
				i.ModTime().UTC().Format("Jan _2 15:04"), i.Name())
		}
	}
	return status
}
