# Trò chuyện: lần đầu, ngôn ngữ, đồng ý, menu, trợ giúp.
menu-intro = Chọn một mục trong menu bên dưới, hoặc gõ /help để xem hướng dẫn.
menu-services = Dịch vụ công
menu-my-dossiers = Hồ sơ của tôi
menu-lookup = Tra cứu hồ sơ
menu-account = Tài khoản
menu-help = Trợ giúp
language-ask = Vui lòng chọn ngôn ngữ / Please choose a language:
language-vi = Tiếng Việt
language-en = English
language-set = Đã chọn Tiếng Việt.
consent-statement =
    <b>Đồng ý xử lý dữ liệu cá nhân</b>
    Để đăng ký, đăng nhập và nộp hồ sơ, trợ lý cần thu thập họ tên, số CCCD (hoặc mã số thuế), ngày sinh, số điện thoại, thư điện tử, địa chỉ và các giấy tờ bạn gửi. Dữ liệu chỉ dùng để thực hiện dịch vụ công bạn yêu cầu, được chuyển tới Cổng dịch vụ công của tỉnh và không chia sẻ cho bên khác (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15).
    Bạn có thể xem dữ liệu trợ lý lưu bằng /mydata và xoá bằng /deleteme bất cứ lúc nào.
consent-agree = Đồng ý
consent-decline = Không đồng ý
consent-agree-qr = 📷 Đồng ý và chụp mã QR trên CCCD
consent-thanks = Cảm ơn bạn đã đồng ý.
consent-declined = Bạn chưa đồng ý nên trợ lý sẽ không hỏi dữ liệu cá nhân. Bạn vẫn có thể tra cứu hồ sơ theo mã hồ sơ.
help =
    <b>Trợ lý dịch vụ công trực tuyến</b>
    { $commands }

    Ví dụ: /submit 1.001193 để nộp hồ sơ của thủ tục 1.001193. Hồ sơ nháp vẫn được giữ khi bạn /cancel.
cancelled = Đã thoát. Hồ sơ nháp (nếu có) vẫn được giữ.
cancel-nothing = Không có thao tác nào đang làm.
unknown-command = Trợ lý không hiểu lệnh này. Gõ /help để xem các lệnh.
stale-button = Nút này đã cũ, vui lòng dùng tin nhắn mới nhất.
cmd-start = Bắt đầu
cmd-register = Đăng ký tài khoản
cmd-login = Đăng nhập
cmd-status = Tra cứu hồ sơ theo mã
cmd-language = Đổi ngôn ngữ
cmd-account = Tài khoản
cmd-mydata = Dữ liệu của tôi
cmd-cancel = Thoát thao tác đang làm
cmd-logout = Đăng xuất
cmd-deleteme = Xoá dữ liệu của tôi
cmd-help = Trợ giúp
button-skip = Bỏ qua
button-cancel = Huỷ
button-register = Đăng ký
button-login = Đăng nhập
button-logout = Đăng xuất

# Gợi ý khi câu trả lời không như mong đợi.
hint-idle = Vui lòng chọn một mục trong menu bên dưới hoặc gõ /help.
hint-language = Vui lòng bấm một nút để chọn ngôn ngữ.
hint-consent = Vui lòng bấm «Đồng ý» hoặc «Không đồng ý» ở tin nhắn trên.
hint-unexpected = Trợ lý đang chờ câu trả lời cho câu hỏi sau:
hint-review = Vui lòng kiểm tra thông tin và bấm «Xác nhận đăng ký» hoặc một nút «Sửa».
hint-kind = Vui lòng chọn loại tài khoản bằng các nút bên dưới.
hint-login-username = Vui lòng nhập tên đăng nhập (số CCCD, mã số thuế hoặc số điện thoại).
hint-login-password = Vui lòng nhập mật khẩu.
hint-lookup = Vui lòng nhập mã hồ sơ, ví dụ 000.00.25.H50-261125-0001.
hint-confirm-delete = Vui lòng bấm một trong hai nút ở tin nhắn trên.

# Tài khoản: đăng ký, đăng nhập, đăng xuất.
ask-kind = Bạn đăng ký/đăng nhập với loại tài khoản nào?
kind-citizen = Công dân
kind-organisation = Tổ chức, doanh nghiệp
kind-chosen =
    ✔️ Loại tài khoản: <b>{ $kind ->
        [organisation] Tổ chức, doanh nghiệp
       *[citizen] Công dân
    }</b>
register-or-qr = Công dân có CCCD gắn chip có thể bấm «Chụp mã QR trên CCCD» để điền sẵn họ tên, số CCCD, ngày sinh và địa chỉ.
register-qr-button = 📷 Chụp mã QR trên CCCD
register-ask-qr =
    Gửi ảnh chụp mã QR ở mặt sau thẻ CCCD gắn chip (chụp rõ, đủ sáng, mã QR nằm trọn trong ảnh).
    Trợ lý chỉ đọc mã QR để điền sẵn thông tin, không lưu ảnh.
register-qr-send-photo = Vui lòng gửi một ảnh chụp mã QR ở mặt sau CCCD, hoặc bấm «Nhập tay» để nhập từng thông tin.
register-type-instead = ⌨️ Nhập tay
register-qr-unreadable = Không đọc được mã QR trong ảnh này. Bạn có thể chụp lại (gần hơn, đủ sáng) bằng nút «Chụp mã QR trên CCCD», hoặc nhập tay như sau.
register-qr-download-failed = Chưa tải được ảnh từ Telegram. Bạn có thể gửi lại ảnh bằng nút «Chụp mã QR trên CCCD», hoặc nhập tay như sau.
register-qr-not-cccd = Mã QR trong ảnh không phải mã QR của thẻ CCCD. Hãy chụp mã QR ở mặt sau thẻ CCCD gắn chip, hoặc nhập tay như sau.
register-qr-bad-field = Mã QR của CCCD có thông tin không dùng được để đăng ký:
register-qr-birth-mismatch = Ngày sinh trên CCCD khác ngày sinh bạn đã nhập, nên trợ lý không dùng thông tin từ mã QR. Bạn hãy kiểm tra lại và nhập tay như sau.
register-qr-filled =
    <b>Thông tin đọc từ CCCD</b>
    Họ và tên: { $name }
    Số CCCD: { $id_number }
    Ngày sinh: { $birth_date }
    Địa chỉ: { $address }
    Nếu có thông tin chưa đúng, bấm nút sửa bên dưới.
register-ask-name =
    { $kind ->
        [organisation] Nhập tên tổ chức, doanh nghiệp:
       *[citizen] Nhập họ và tên đầy đủ (có dấu), ví dụ: Lò Văn Mến
    }
register-ask-id-number =
    { $kind ->
        [organisation] Nhập mã số thuế của tổ chức (10 chữ số, hoặc 10 chữ số-3 chữ số với chi nhánh):
       *[citizen] Nhập số căn cước công dân (CCCD) gồm 12 chữ số:
    }
register-ask-birth-date =
    { $kind ->
        [organisation] Nhập ngày sinh của người đại diện theo dạng ngày/tháng/năm, ví dụ 05/01/1990:
       *[citizen] Nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 05/01/1990:
    }
register-ask-phone = Bấm nút «Chia sẻ số điện thoại» bên dưới để gửi số điện thoại của tài khoản Telegram này.
register-share-phone = Chia sẻ số điện thoại
register-phone-use-button = Để bảo đảm số điện thoại là của bạn, vui lòng bấm nút «Chia sẻ số điện thoại» thay vì gõ số.
register-phone-not-own = Đây không phải số điện thoại của chính bạn. Vui lòng bấm nút «Chia sẻ số điện thoại» để gửi số của tài khoản Telegram này.
register-phone-received = ✔️ Đã nhận số điện thoại { $phone }.
register-ask-email = Nhập địa chỉ thư điện tử (không bắt buộc), hoặc bấm «Bỏ qua»:
register-ask-address = Nhập địa chỉ liên hệ (số nhà, bản/tổ, xã/phường, tỉnh):
register-ask-password =
    Đặt mật khẩu cho tài khoản trên Cổng dịch vụ công: từ 8 đến 64 ký tự, có ít nhất một chữ cái và một chữ số.
    Tin nhắn chứa mật khẩu sẽ được xoá ngay, trợ lý không lưu mật khẩu.
invalid-address = Địa chỉ phải dài từ 5 đến 200 ký tự.
register-summary =
    <b>Kiểm tra thông tin đăng ký</b>
    Loại tài khoản: { $kind ->
        [organisation] Tổ chức, doanh nghiệp
       *[citizen] Công dân
    }
    { $kind ->
        [organisation] Tên tổ chức
       *[citizen] Họ và tên
    }: { $name }
    { $kind ->
        [organisation] Mã số thuế
       *[citizen] Số CCCD
    }: { $id_number }
    Ngày sinh: { $birth_date }
    Điện thoại: { $phone }
    Thư điện tử: { $email }
    Địa chỉ: { $address }
    Mật khẩu: ••••••••
register-confirm = ✅ Xác nhận đăng ký
edit-name = Sửa tên
edit-id-number = Sửa số giấy tờ
edit-birth-date = Sửa ngày sinh
edit-phone = Sửa điện thoại
edit-email = Sửa thư điện tử
edit-address = Sửa địa chỉ
edit-password = Đổi mật khẩu
register-duplicate = Số giấy tờ hoặc số điện thoại này đã có tài khoản trên Cổng dịch vụ công. Bạn hãy đăng nhập.
register-done = Đăng ký thành công! Xin chào { $name }, bạn đã đăng nhập.
register-done-login-later = Đăng ký thành công! Hiện chưa đăng nhập được, bạn hãy dùng /login sau ít phút.
login-ask-username =
    { $kind ->
        [organisation] Nhập tên đăng nhập: mã số thuế hoặc số điện thoại.
       *[citizen] Nhập tên đăng nhập: số CCCD hoặc số điện thoại.
    }
login-other-kind =
    { $kind ->
        [organisation] Đăng nhập tài khoản tổ chức
       *[citizen] Đăng nhập tài khoản công dân
    }
login-username-invalid =
    { $kind ->
        [organisation] Tên đăng nhập phải là mã số thuế (10 chữ số) hoặc số điện thoại (10 chữ số).
       *[citizen] Tên đăng nhập phải là số CCCD (12 chữ số) hoặc số điện thoại (10 chữ số).
    }
login-ask-password = Nhập mật khẩu. Tin nhắn chứa mật khẩu sẽ được xoá ngay.
login-failed = Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng nhập lại mật khẩu, hoặc gõ /cancel để thoát. Sau vài lần sai liên tiếp, bạn sẽ phải chờ một lúc trước khi thử lại.
login-too-many =
    Bạn đã nhập sai nhiều lần. Vui lòng chờ { $unit ->
        [minutes] { $count } phút
       *[seconds] { $count } giây
    } rồi nhập lại mật khẩu, hoặc gõ /cancel để thoát.
private-only = Bot chỉ làm việc trong trò chuyện riêng. Hãy nhắn tin riêng cho bot để dùng dịch vụ công.
login-done = Đăng nhập thành công. Xin chào { $name }!
account-already = Bạn đang đăng nhập với tài khoản { $account }.
account-logged-in = Bạn đang đăng nhập với tài khoản { $account }.
account-anonymous = Bạn chưa đăng nhập. Hãy đăng ký tài khoản mới hoặc đăng nhập.
logout-done = Đã đăng xuất.
logout-not-logged-in = Bạn chưa đăng nhập.

# Dữ liệu của tôi, xoá dữ liệu.
mydata =
    <b>Dữ liệu trợ lý lưu về bạn</b>
    Mã người dùng Telegram: { $telegram_id }
    Ngôn ngữ: { $language }
    Thời điểm đồng ý xử lý dữ liệu: { $consent }
    Tài khoản Cổng dịch vụ công: { $account }
    Đang đăng nhập: { $logged_in ->
        [yes] có (chỉ lưu mã phiên đăng nhập đã mã hoá, không lưu mật khẩu)
       *[no] không
    }
    Nhận thông báo: { $notify ->
        [yes] có
       *[no] không
    }
    Bắt đầu dùng trợ lý: { $created }
mydata-none = Trợ lý chưa lưu dữ liệu nào về bạn.
mydata-registration =
    <b>Đăng ký đang làm dở</b>
    Họ và tên: { $name }
    Số giấy tờ: { $id_number }
    Ngày sinh: { $birth_date }
    Điện thoại: { $phone }
    Thư điện tử: { $email }
    Địa chỉ: { $address }
mydata-draft = <b>Hồ sơ nháp</b>: { $procedure } — { $values } thông tin đã khai, { $papers } giấy tờ đã gửi.
deleteme-ask = Bạn có chắc muốn xoá toàn bộ dữ liệu trợ lý lưu về bạn? Bạn sẽ được đăng xuất. Hồ sơ đã gửi trên Cổng dịch vụ công không bị ảnh hưởng.
deleteme-yes = Xoá dữ liệu
deleteme-no = Không xoá
deleteme-kept = Dữ liệu của bạn được giữ nguyên.
deleteme-done = Đã xoá dữ liệu của bạn và đăng xuất. Gõ /start nếu muốn dùng lại trợ lý.

# Tra cứu hồ sơ.
lookup-ask = Nhập mã hồ sơ cần tra cứu, ví dụ 000.00.25.H50-261125-0001:
lookup-result =
    <b>Hồ sơ { $code }</b>
    Thủ tục: { $procedure }
    Cơ quan tiếp nhận: { $agency }
    Trạng thái: { $status }
    Ngày tiếp nhận: { $received }
    Ngày hẹn trả: { $due }
lookup-not-found = Không tìm thấy hồ sơ có mã { $code }. Vui lòng kiểm tra lại mã.
status-draft = Nháp
status-new = Hồ sơ mới
status-processing = Đang xử lý
status-supplement_required = Bổ sung hồ sơ
status-financial_obligation = Nghĩa vụ tài chính
status-fee_payment = Thanh toán phí
status-paused = Đang tạm dừng
status-completed = Hoàn thành thụ lý
status-result_returned = Đã hoàn thành trả kết quả
status-rejected = Từ chối tiếp nhận
status-withdrawn = Đã rút hồ sơ
